"""Serve the JavaScript that renders ipywidgets from the book itself, never from a CDN.

MyST-NB embeds the widget state of an executed page in its HTML and, by default, adds
``<script>`` tags for require.js (cdnjs) and ``@jupyter-widgets/html-manager`` (jsdelivr) to
render it. The book must work offline, so both are vendored in ``book/_vendor/`` (pinned
versions, licenses and how to refresh them: ``book/_vendor/README.md``) and this extension
copies that folder to ``_build/html/_static/_vendor/`` when the HTML builder starts.

``_config.yml`` then points MyST-NB's ``nb_ipywidgets_js`` at ``_vendor/...``: Sphinx prefixes
such paths with ``_static/`` and writes them relative to each page, so pages in subfolders
(``book/aurora/...``, ``labs/...``) load them too.

Why not ``html_static_path``? Jupyter Book adds a ``<script>`` tag for every ``.js`` file of
every static path to every page as soon as the book has a ``_static/`` folder; require.js on
every page breaks other scripts ("Mismatched anonymous define"), so these files stay out of it.
"""

from __future__ import annotations

from pathlib import Path

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


def setup(app: Sphinx) -> dict:
    # builder-inited: before the pages are written, so Sphinx finds the files and adds
    # its ?v=checksum cache-busting suffix to their URLs.
    app.connect("builder-inited", _copy_vendor)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
