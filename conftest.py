"""Test-suite wiring: MyST notebooks run under nbval, and a local cloud is up for what needs it.

Pages and labs are MyST markdown notebooks. nbval runs .ipynb files, so each one with code cells
is converted with jupytext to ``_build/nbval/`` and collected from there. nbval runs in lax mode:
the sources carry no outputs to compare, and every page ends with assertions of its own.

The suite runs in parallel (pytest-xdist, one file per worker at a time). Labs crash and heal
servers, so each worker gets a local cloud of its own: worker gw0 uses the usual one, the others
a copy on shifted ports (LABKIT_PORT_OFFSET) with its own state folder, stopped when they finish.
"""
from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import jupytext
from nbval.plugin import IPyNbFile

ROOT = Path(__file__).parent
NOTEBOOK_DIRS = ("book", "labs")
NEEDS_NO_SERVERS = ROOT / "tests" / "unit"
WORKER_PORT_BASE = 11222  # where the search for the extra clouds' port offsets starts (any value fits)
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... under xdist


def _worker_index() -> int:
    return int(WORKER[2:]) if WORKER.startswith("gw") else 0


def pytest_configure(config):
    config.option.nbval_lax = True
    index = _worker_index()
    if index:
        from labkit.endpoints import disjoint_offsets

        os.environ["LABKIT_PORT_OFFSET"] = str(disjoint_offsets(index + 1, WORKER_PORT_BASE)[index])
        repo = hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]
        os.environ["LABKIT_HOME"] = f"/var/tmp/labkit-test-{repo}-{WORKER}"


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix != ".md" or file_path.parts[len(ROOT.parts)] not in NOTEBOOK_DIRS:
        return None
    notebook = jupytext.read(file_path)
    if "kernelspec" not in notebook.metadata or not any(c.cell_type == "code" for c in notebook.cells):
        return None
    target = ROOT / "_build" / "nbval" / (WORKER or "main") / file_path.relative_to(ROOT).with_suffix(".ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    jupytext.write(notebook, target)
    return IPyNbFile.from_parent(parent, path=target)


@functools.cache
def _start_cloud() -> None:
    from labkit import cloud, cluster

    cloud.up(echo=lambda *_: None)  # idempotent: a cloud that is already running is reused
    cluster.wait_healthy()


def pytest_runtest_setup(item):
    """Start the local cloud once per session, before the first test that needs servers."""
    if not Path(item.path).is_relative_to(NEEDS_NO_SERVERS):
        _start_cloud()


def pytest_sessionfinish(session):
    """A worker's extra cloud is stopped when the worker is done; the usual one stays up."""
    if _worker_index() and _start_cloud.cache_info().currsize:
        from labkit import cloud

        cloud.down(echo=lambda *_: None)
