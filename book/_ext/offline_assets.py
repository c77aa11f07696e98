"""Make every built page load its scripts from the book itself, each script once.

1. Vendored JavaScript. By default MyST-NB renders ipywidgets with require.js (cdnjs) and
   ``@jupyter-widgets/html-manager`` (jsdelivr), and Sphinx loads MathJax from jsdelivr. The book
   must work offline, so these are vendored in ``book/_vendor/`` (pinned versions, licenses and
   how to refresh them: ``book/_vendor/README.md``), and this extension copies that folder to
   ``_build/html/_static/_vendor/`` when the HTML builder starts. ``_config.yml`` points
   ``nb_ipywidgets_js`` and ``mathjax_path`` at ``_vendor/...``: Sphinx prefixes such paths with
   ``_static/`` and writes them relative to each page, so pages in subfolders load them too.

   Why not ``html_static_path``? Jupyter Book adds a ``<script>`` tag for every ``.js`` file of
   every static path to every page as soon as the book has a ``_static/`` folder; require.js on
   every page breaks other scripts ("Mismatched anonymous define"), so these files stay out of it.

2. Duplicate inline scripts. Sphinx 7 lists an inline script that an extension adds after the
   builder started (``app.add_js_file(None, body=...)``, as sphinx-thebe does) twice, once with
   filename None and once with ''; sphinx-thebe's ``const THEBE_JS_URL = ...`` declared twice is
   a SyntaxError in every page's console. The last ``html-page-context`` handler drops such
   duplicates from the page's ``script_files``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util.fileutil import copy_asset

VENDOR_DIR = Path(__file__).resolve().parent.parent / "_vendor"


def _copy_vendor(app: Sphinx) -> None:
    if app.builder is None or app.builder.format != "html":
        return
    copy_asset(
        str(VENDOR_DIR),
        str(Path(app.outdir) / "_static" / "_vendor"),
        excluded=lambda path: path.endswith("README.md"),
    )


def _drop_duplicate_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    seen, unique = set(), []
    for script in context.get("script_files", []):
        attributes = getattr(script, "attributes", {})
        key = (
            getattr(script, "filename", script) or "",
            getattr(script, "priority", 500),
            tuple(sorted(attributes.items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app: Sphinx) -> dict:
    # builder-inited: before the pages are written, so Sphinx finds the files and adds
    # its ?v=checksum cache-busting suffix to their URLs.
    app.connect("builder-inited", _copy_vendor)
    # After every other handler (MyST-NB adds the widget scripts to the page in its own).
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
