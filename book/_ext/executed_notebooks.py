"""Offer each page's EXECUTED notebook (with its outputs) in the theme's download menu.

sphinx-book-theme's download menu offers the page source from ``_build/html/_sources/`` and,
when the ``ipynb_source`` context value is set, an ``.ipynb`` entry pointing to
``_sources/<page>.ipynb`` (the theme sets it itself only when Binder/Colab launch buttons are
configured, which this book does not use). This extension:

1. on ``html-page-context`` (before the theme builds its buttons at priority 501) sets
   ``ipynb_source`` for MyST-markdown notebook pages, so their menu gets ``.ipynb`` next to
   ``.md`` and ``.pdf``;
2. on ``build-finished`` writes every notebook page, with its outputs, to
   ``_sources/<page>.ipynb``. For pages whose source already is an ``.ipynb`` (labs, committed
   without outputs) that replaces Sphinx's copy of the source, so their ``.ipynb`` entry
   downloads the executed notebook too.

Where the executed notebook comes from: MyST-NB writes each notebook page, converted to
``.ipynb``, to ``_build/jupyter_execute/<page>.ipynb``, but when a page's outputs come from the
jupyter-cache (``execute_notebooks: cache`` and the code did not change) that file has NO
outputs (MyST-NB 1.x writes the notebook it read, not the one merged from the cache). So the
outputs and widget state are merged here from the same jupyter-cache, with its public
``merge_match_into_notebook``.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import Any, Iterator

import nbformat
from sphinx.application import Sphinx


def _converted_notebook(app: Sphinx, docname: str) -> Path:
    return Path(app.env.mystnb_config.output_folder) / f"{docname}.ipynb"


def _add_download_entry(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if doctree is None or pagename not in app.env.all_docs:
        return
    source_is_ipynb = str(app.env.doc2path(pagename)).endswith(".ipynb")
    if not source_is_ipynb and _converted_notebook(app, pagename).is_file():
        context["ipynb_source"] = f"{pagename}.ipynb"


def executed_notebooks(app: Sphinx) -> Iterator[tuple[str, nbformat.NotebookNode]]:
    """Each notebook page's docname and its notebook with the outputs of this build's run."""
    config = app.env.mystnb_config
    cache = None
    if config.execution_mode == "cache":
        from jupyter_cache import get_cache

        cache = get_cache(config.execution_cache_path)
    for docname in sorted(app.env.all_docs):
        converted = _converted_notebook(app, docname)
        if not converted.is_file():
            continue  # not a notebook page
        notebook = nbformat.read(converted, as_version=nbformat.NO_CONVERT)
        if cache is not None:
            with suppress(KeyError):  # KeyError: not in the cache (e.g. excluded from execution)
                _, notebook = cache.merge_match_into_notebook(notebook)
        yield docname, notebook


def _write_executed_notebooks(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder is None or app.builder.format != "html":
        return
    for docname, notebook in executed_notebooks(app):
        target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _add_download_entry, priority=500)
    app.connect("build-finished", _write_executed_notebooks)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
