// Tell the ipywidgets html-manager (embed-amd.js) where its font files are: in html-manager/
// beside this script. Without it, it derives that folder from its AMD module name, relative to
// the page, and icon fonts 404 (book/_ext/offline_widgets.py explains the vendored files).
window.__jupyter_widgets_assets_path__ = new URL("html-manager/", document.currentScript.src).href;
