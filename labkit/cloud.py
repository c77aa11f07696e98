"""Bring the whole local cloud up, or down. ``up`` is idempotent: it starts only what is not
running, so after a crash or a ``kill -9`` of anything it brings the cluster back. It leaves
alone every server labkit did not start (``labkit.external``): a daemon whose endpoints all
belong to those is not started."""
from __future__ import annotations

import os
import threading
import time

import psutil

from labkit import credentials, external, paths, procs, tls
from labkit.services import DAEMONS, MODULES
from labkit.services.base import Daemon


class StartFailed(RuntimeError):
    """One or more daemons did not become ready; the message points at their logs."""


def _tail(path, lines: int = 8) -> str:
    try:
        return "\n".join("      " + l for l in path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "      (no log)"


class _Bringup:
    """Bring every daemon up in its own thread, each waiting for the daemons it depends on."""

    def __init__(self, local: list[Daemon], todo: list[Daemon], deadline: float):
        self.todo, self.deadline = todo, deadline
        self.daemons = [d for d in local if not d.optional or d.running()]
        self.done = {d.name: threading.Event() for d in self.daemons}
        self.failures: dict[str, str] = {}

    def left(self) -> float:
        return max(self.deadline - time.monotonic(), 0.0)

    def _bring_up(self, daemon: Daemon) -> str | None:
        """None when ``daemon`` is ready, else why not."""
        for dep in daemon.after:
            self.done[dep].wait(self.left())
            if dep in self.failures or not self.done[dep].is_set():
                return f"waited for {dep}, which is not ready"
        if daemon in self.todo:
            try:
                daemon.start()
            except Exception as exc:  # reported with the others, so one broken daemon names itself
                return f"{type(exc).__name__}: {exc}"
        if daemon.wait_ready(self.left()):
            return None
        log = procs.log_file(daemon.name)
        state = "exited" if not daemon.running() else "did not become ready"
        return f"{state}; last lines of {log}:\n{_tail(log)}"

    def _run(self, daemon: Daemon) -> None:
        try:
            problem = self._bring_up(daemon)
            if problem:
                self.failures[daemon.name] = problem
        finally:
            self.done[daemon.name].set()

    def run(self) -> None:
        threads = [threading.Thread(target=self._run, args=(d,), daemon=True) for d in self.daemons]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if self.failures:
            raise StartFailed("the local cloud did not start:\n"
                              + "\n".join(f"  - {n}: {w}" for n, w in self.failures.items()))


def left_alone(daemon: Daemon, outside: set[str]) -> bool:
    """Whether every endpoint ``daemon`` serves belongs to an external group (``outside``)."""
    groups = {external.anchor(name) for name in daemon.binds} - {None}
    return bool(groups) and groups <= outside


def up(timeout: float = 120.0, echo=print) -> list[str]:
    """Start every daemon that is not running and wait until all are ready; return what started.
    Daemons of external groups are neither started nor waited for."""
    t0 = time.monotonic()
    credentials.local()
    tls.ensure()
    outside = external.outside()
    local = [d for d in DAEMONS if not left_alone(d, outside)]
    todo = [d for d in local if not d.running() and not d.optional]
    for daemon in todo:
        daemon.leftovers()
    for daemon in todo:
        daemon.check_ports()
    _Bringup(local, todo, t0 + timeout).run()
    for module in MODULES:
        if hasattr(module, "setup") and any(d in local for d in module.DAEMONS):
            module.setup()
    echo(f"local cloud up in {time.monotonic() - t0:.1f} s ({len(todo)} of {len(local)} daemons started)")
    return [d.name for d in todo]


def down(echo=print) -> None:
    """Stop every daemon and anything a crashed run left behind in the state folder."""
    t0 = time.monotonic()
    on_demand = [name for name in procs.recorded() if name not in {d.name for d in DAEMONS}]
    threads = [threading.Thread(target=d.stop, daemon=True) for d in DAEMONS]
    threads += [threading.Thread(target=procs.stop, args=(name,), daemon=True) for name in on_demand]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state = str(paths.state_dir())
    for proc in psutil.process_iter(["pid", "cmdline"]):
        if proc.pid != os.getpid() and any(state in arg for arg in proc.info["cmdline"] or ()):
            procs.stop_pid(proc.pid, timeout=2.0)
    echo(f"local cloud down in {time.monotonic() - t0:.1f} s")
