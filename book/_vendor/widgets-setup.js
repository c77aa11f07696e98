// Loaded between require.js and embed-amd.js on pages with ipywidgets (see _config.yml,
// nb_ipywidgets_js, and book/_ext/offline_assets.py). Written for this book, not vendored.
(function () {
  "use strict";
  var managerDir = new URL("html-manager/", document.currentScript.src).href;

  // 1. Each AMD module in embed-amd.js finds its files (Font Awesome fonts) in the folder its
  //    module name maps to, by default relative to the page: a 404 on every page. Map them all
  //    to the vendored folder.
  var paths = { "@jupyter-widgets/html-manager/dist": managerDir.replace(/\/$/, "") };
  ["base", "base7", "controls", "controls7", "html-manager"].forEach(function (name) {
    paths["@jupyter-widgets/" + name] = managerDir + name;
  });
  window.requirejs.config({ paths: paths });
  window.__jupyter_widgets_assets_path__ = managerDir;

  // 2. ipywidgets 8 typesets widget labels with the MathJax 2 API (MathJax.Hub.Queue), but the
  //    book loads MathJax 3: on pages with both, every widget label throws. Give MathJax 3 a
  //    tiny Hub.Queue that forwards to typesetPromise.
  function addHubShim() {
    var mj = window.MathJax;
    if (!mj || !mj.version || mj.Hub) {
      return;
    }
    mj.Hub = {
      Queue: function (job) {
        var element = job && job[2];
        var ready = mj.startup && mj.startup.promise ? mj.startup.promise : Promise.resolve();
        ready.then(function () {
          return element && mj.typesetPromise ? mj.typesetPromise([element]) : null;
        }).catch(function (err) {
          console.warn("MathJax could not typeset a widget label:", err);
        });
      }
    };
  }
  addHubShim();
  document.addEventListener("DOMContentLoaded", addHubShim);
})();
