"""Test-suite wiring: every page and lab runs as one test, and a local cloud is up for what needs it.

Pages and labs are MyST markdown notebooks. Each runs top to bottom exactly as the book build runs
it (MyST-NB's reader, jupyter-cache's executor, the page's folder as working directory, the
timeout of _config.yml) and ends with assertions of its own. A page that passes is stored in the
book's execution cache, so the book build that follows (tests/build) renders it without running
it a second time.

The suite runs in parallel (pytest-xdist, one file per worker at a time). Labs crash and heal
servers, so each worker gets a local cloud of its own: worker gw0 uses the usual one, the others
a copy on shifted ports (LABKIT_PORT_OFFSET) with its own state folder, stopped when they finish.
"""
from __future__ import annotations

import fcntl
import functools
import hashlib
import os
from pathlib import Path

import pytest
import yaml
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_cache.executors.utils import single_nb_execution
from myst_nb.core.read import read_myst_markdown_notebook

ROOT = Path(__file__).parent
NOTEBOOK_DIRS = ("book", "labs")
NEEDS_NO_SERVERS = ROOT / "tests" / "unit"
WORKER_PORT_BASE = 11222  # where the search for the extra clouds' port offsets starts (any value fits)
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... under xdist


def _worker_index() -> int:
    return int(WORKER[2:]) if WORKER.startswith("gw") else 0


def _explicit_cloud() -> bool:
    """Whether the environment already says where the servers are (LABKIT_HOME, a port offset, an endpoint)."""
    return any(k.startswith("LABKIT_") and not k.startswith(("LABKIT_DAEMON_USER", "LABKIT_PG_SSL"))
               for k in os.environ)


def pytest_configure(config):
    if not WORKER and _explicit_cloud() and getattr(config.option, "numprocesses", None):
        # Extra clouds on shifted ports would ignore the servers the environment points at: run serially.
        config.option.numprocesses, config.option.dist = 0, "no"
    index = _worker_index()
    if index:
        from labkit.endpoints import disjoint_offsets

        os.environ["LABKIT_PORT_OFFSET"] = str(disjoint_offsets(index + 1, WORKER_PORT_BASE)[index])
        repo = hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]
        os.environ["LABKIT_HOME"] = f"/var/tmp/labkit-test-{repo}-{WORKER}"


EXECUTE = yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]


class PageFailed(Exception):
    """A cell of the page raised; the message is the cell and its traceback."""


class Page(pytest.Item):
    """One page or lab, executed as the book build executes it, then put in the build's cache."""

    def runtest(self) -> None:
        notebook = read_myst_markdown_notebook(self.path.read_text(), add_source_map=True, path=self.path)
        result = single_nb_execution(notebook, cwd=str(self.path.parent), timeout=EXECUTE["timeout"],
                                     allow_errors=False)
        if result.err is not None:
            raise PageFailed(str(result.err))
        cache_path = ROOT / EXECUTE["cache"]
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        with open(cache_path.parent / ".jupyter_cache.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # the workers share one cache database
            get_cache(cache_path).cache_notebook_bundle(
                CacheBundleIn(notebook, str(self.path), data={"execution_seconds": result.time}),
                check_validity=False, overwrite=True)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, PageFailed):
            return f"{self.path.relative_to(ROOT)} stopped at a cell:\n{excinfo.value}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"executes {self.path.relative_to(ROOT)}"


class PageFile(pytest.File):
    def collect(self):
        yield Page.from_parent(self, name="executes")


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix != ".md" or file_path.parts[len(ROOT.parts)] not in NOTEBOOK_DIRS:
        return None
    notebook = read_myst_markdown_notebook(file_path.read_text(), path=file_path)
    if "kernelspec" not in notebook.metadata or not any(c.cell_type == "code" for c in notebook.cells):
        return None
    return PageFile.from_parent(parent, path=file_path)


@functools.cache
def _start_cloud() -> None:
    from labkit import cloud, cluster

    cloud.up(echo=lambda *_: None)  # idempotent: a cloud that is already running is reused
    cluster.heal()  # and repaired if an earlier run left it broken


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
