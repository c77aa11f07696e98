"""Offer each page's EXECUTED notebook (with its outputs) in the theme's download menu.

MyST-NB writes the executed version of every notebook page (MyST ``.md`` or ``.ipynb``) to
``_build/jupyter_execute/<page>.ipynb``. sphinx-book-theme's download menu offers the page
source from ``_build/html/_sources/`` and, when the ``ipynb_source`` context value is set, also
an ``.ipynb`` entry pointing to ``_sources/<page>.ipynb`` (the theme only sets it itself when
Binder/Colab launch buttons are configured, which this book does not use). This extension:

1. on ``html-page-context`` (before the theme builds its buttons, at priority 501), sets
   ``ipynb_source`` for MyST-markdown notebook pages that have an executed notebook, so the
   menu gets an ``.ipynb`` entry next to ``.md`` and ``.pdf``;
2. on ``build-finished``, copies every executed notebook to ``_sources/<page>.ipynb``. For pages
   whose source already is an ``.ipynb`` (the labs, committed without outputs), that replaces
   the copy Sphinx made of the source, so their ``.ipynb`` entry also downloads the executed one.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx


def _executed_notebook(app: Sphinx, docname: str) -> Path:
    return Path(app.env.mystnb_config.output_folder) / f"{docname}.ipynb"


def _add_download_entry(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if doctree is None or pagename not in app.env.all_docs:
        return
    source_is_ipynb = str(app.env.doc2path(pagename)).endswith(".ipynb")
    if not source_is_ipynb and _executed_notebook(app, pagename).is_file():
        context["ipynb_source"] = f"{pagename}.ipynb"


def _copy_executed_notebooks(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder is None or app.builder.format != "html":
        return
    for docname in sorted(app.env.all_docs):
        executed = _executed_notebook(app, docname)
        if executed.is_file():
            target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(executed, target)


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _add_download_entry, priority=500)
    app.connect("build-finished", _copy_executed_notebooks)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
