"""Test-suite wiring: MyST notebooks run under nbval, and the local cloud is up for what needs it.

Pages and labs are MyST markdown notebooks. nbval runs .ipynb files, so each one with code cells
is converted with jupytext to ``_build/nbval/`` and collected from there. nbval runs in lax mode:
the sources carry no outputs to compare, and every page ends with assertions of its own.
"""
from __future__ import annotations

import functools
from pathlib import Path

import jupytext
from nbval.plugin import IPyNbFile

ROOT = Path(__file__).parent
NOTEBOOK_DIRS = ("book", "labs")
NEEDS_NO_SERVERS = ROOT / "tests" / "unit"


def pytest_configure(config):
    config.option.nbval_lax = True


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix != ".md" or file_path.parts[len(ROOT.parts)] not in NOTEBOOK_DIRS:
        return None
    notebook = jupytext.read(file_path)
    if "kernelspec" not in notebook.metadata or not any(c.cell_type == "code" for c in notebook.cells):
        return None
    target = ROOT / "_build" / "nbval" / file_path.relative_to(ROOT).with_suffix(".ipynb")
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
