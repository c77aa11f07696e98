"""Test-suite wiring: nbval runs every page and lab, once, and a local cloud is up for what needs it.

Pages and labs are MyST markdown notebooks. nbval (``--nbval-lax``, in the default options) runs
each one cell by cell, one test per code cell ("labs/04-failover.md::Cell 7"), in one kernel
started in the page's folder, with the book build's cell timeout (_config.yml). The hidden
assertion cells at the end of each page do the checking: a markdown page has no stored outputs
for nbval to compare with. When every cell of a page has passed, the outputs nbval recorded are
the executed notebook, and it is stored in the book's execution cache, so the book build that
follows (tests/build) renders the page without running it again: one execution per page.

The suite runs in parallel (pytest-xdist, one file per worker at a time). Labs crash and heal
servers, so each worker gets a local cloud of its own: worker gw0 uses the usual one, the others
a copy on shifted ports (LABKIT_PORT_OFFSET) with its own state folder, stopped when they finish.
"""
from __future__ import annotations

import ast
import contextlib
import fcntl
import functools
import hashlib
import json
import os
import time
from collections import defaultdict
from pathlib import Path

import yaml
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from myst_nb.core.read import read_myst_markdown_notebook
from nbval.plugin import IPyNbCell, IPyNbFile, find_comment_markers, find_metadata_tags

from labkit import ledger

ROOT = Path(__file__).parent
NOTEBOOK_DIRS = ("book", "labs")
NEEDS_NO_SERVERS = ROOT / "tests" / "unit"
WORKER_PORT_BASE = 11222  # where the search for the extra clouds' port offsets starts (any value fits)
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... under xdist
EXECUTE = yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]
# The kernel's live widgets, in the notebook metadata format nbclient saves: the built page renders
# the widgets from it. nbval does not record widget messages, so the kernel is asked at the end.
WIDGET_STATE = ("__import__('json').dumps(__import__('sys').modules['ipywidgets'].Widget.get_manager_state()"
                " if 'ipywidgets' in __import__('sys').modules else None)")


def _worker_index() -> int:
    return int(WORKER[2:]) if WORKER.startswith("gw") else 0


def _explicit_cloud() -> bool:
    """Whether the environment already says where the servers are (LABKIT_HOME, a port offset, an endpoint)."""
    return any(k.startswith("LABKIT_") and not k.startswith(("LABKIT_DAEMON_USER", "LABKIT_PG_SSL"))
               for k in os.environ)


def pytest_configure(config):
    # A cell may take as long here as the book build allows it.
    config.option.nbval_cell_timeout = EXECUTE["timeout"]
    if not WORKER and _explicit_cloud() and getattr(config.option, "numprocesses", None):
        # Extra clouds on shifted ports would ignore the servers the environment points at: run serially.
        config.option.numprocesses, config.option.dist = 0, "no"
    index = _worker_index()
    if index:
        from labkit.endpoints import disjoint_offsets

        os.environ["LABKIT_PORT_OFFSET"] = str(disjoint_offsets(index + 1, WORKER_PORT_BASE)[index])
        repo = hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]
        os.environ["LABKIT_HOME"] = f"/var/tmp/labkit-test-{repo}-{WORKER}"


def read_page(path: Path):
    """The page as the book build reads it (MyST-NB), so its cache key is the build's."""
    return read_myst_markdown_notebook(path.read_text(), add_source_map=True, path=path)


@contextlib.contextmanager
def build_cache():
    """The book's execution cache, held alone: the xdist workers share its database."""
    path = ROOT / EXECUTE["cache"]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / ".jupyter_cache.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield get_cache(path)


class Page(IPyNbFile):
    """A page or lab for nbval, read as MyST markdown; stored in the build's cache once it all passed."""

    def collect(self):
        self.nb = read_page(self.path)
        self.code_cells = sum(cell.cell_type == "code" for cell in self.nb.cells)
        for number, cell in enumerate(c for c in self.nb.cells if c.cell_type == "code"):
            # nbval's own reading of its tags (nbval-skip, raises-exception) and comment markers
            options = defaultdict(bool, find_metadata_tags(cell.metadata))
            options.update(find_comment_markers(cell.source))
            options.setdefault("check", self.compare_outputs)
            yield Cell.from_parent(self, name=f"Cell {number}", cell_num=number, cell=cell, options=options)

    def setup(self):
        self.forget()  # from now on the cache holds this page only if this run passes
        self.started, self.passed = time.perf_counter(), 0
        super().setup()

    def forget(self) -> None:
        """Drop any cached run of this page, so that a failing page leaves no older result for the build."""
        with build_cache() as cache:
            for record in cache.list_cache_records():
                if record.uri == str(self.path):
                    cache.remove_cache(record.pk)

    def store(self) -> None:
        """Put the executed notebook (its cells carry nbval's outputs) in the build's cache, with what
        nbclient would have recorded besides: the kernel's language_info (the build's highlighting
        reads it) and the widgets' state (the built page draws the widgets from it)."""
        client = self.kernel.kc
        self.nb.metadata.language_info = client.kernel_info(reply=True, timeout=30)["content"]["language_info"]
        reply = client.execute("", silent=True, user_expressions={"state": WIDGET_STATE}, reply=True, timeout=60)
        answer = reply["content"]["user_expressions"]["state"]
        if answer["status"] != "ok":
            raise RuntimeError(f"could not read the widget state: {answer['ename']}: {answer['evalue']}")
        widgets = json.loads(ast.literal_eval(answer["data"]["text/plain"]))
        if widgets and widgets["state"]:
            self.nb.metadata.widgets = {"application/vnd.jupyter.widget-state+json": widgets}
        seconds = time.perf_counter() - self.started
        with build_cache() as cache:
            cache.cache_notebook_bundle(CacheBundleIn(self.nb, str(self.path), data={"execution_seconds": seconds}),
                                        check_validity=False, overwrite=True)


class Cell(IPyNbCell):
    """One code cell, run and checked by nbval; its outputs become the cell's, as in a run notebook.

    A cell hidden from the book (remove-cell) must show nothing: JupyterLab shows it to the learner.
    The figures it records for the claims ledger (labkit.ledger.record) display nothing, so they may.
    nbval runs cells outside the kernel's history, so every count is 0 (numbered here as Run All
    numbers them) and a closing ';' does not hide a value (nbval issue 194): pages do not rely on it.
    """

    def runtest(self):
        super().runtest()
        shown = [output for output in self.test_outputs if not ledger.is_figure_output(output)]
        if "remove-cell" in self.cell.metadata.get("tags", []) and shown:
            self.raise_cell_error(f"A cell hidden from the book shows output in JupyterLab: {shown}")
        count = self.cell_num + 1
        for output in self.test_outputs:
            if output.output_type == "execute_result":
                output.execution_count = count
        self.cell.outputs, self.cell.execution_count = self.test_outputs, count
        page = self.parent
        page.passed += 1
        if page.passed == page.code_cells:
            page.store()


def pytest_collect_file(file_path: Path, parent):
    """Pages and labs with code cells, when nbval is on (as nbval collects .ipynb files)."""
    option = parent.config.option
    if not (option.nbval or option.nbval_lax):
        return None
    if file_path.suffix != ".md" or file_path.parts[len(ROOT.parts)] not in NOTEBOOK_DIRS:
        return None
    notebook = read_page(file_path)
    if "kernelspec" not in notebook.metadata or not any(c.cell_type == "code" for c in notebook.cells):
        return None
    return Page.from_parent(parent, path=file_path)


@functools.cache
def _start_cloud() -> None:
    from labkit import baseline

    baseline.restore()  # starts what is down and puts back what an earlier run left changed


_cloud_failure: list[BaseException] = []


def pytest_runtest_setup(item):
    """Start the local cloud once per session, before the first test that needs servers.

    If it cannot start, every later test that needs it fails at once with the same reason.
    """
    if Path(item.path).is_relative_to(NEEDS_NO_SERVERS):
        return
    if _cloud_failure:
        raise RuntimeError(f"the local cloud did not start: {_cloud_failure[0]}")
    try:
        _start_cloud()
    except Exception as exc:
        _cloud_failure.append(exc)
        raise


def pytest_sessionfinish(session):
    """A worker's extra cloud is stopped when the worker is done; the usual one stays up."""
    if _worker_index() and _start_cloud.cache_info().currsize:
        from labkit import cloud

        cloud.down(echo=lambda *_: None)
