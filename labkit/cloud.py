"""Bring the whole local cloud up, or down. ``up`` is idempotent: it starts only what is not
running, so after a crash or a ``kill -9`` of anything it brings the cluster back."""
from __future__ import annotations

import os
import threading
import time

import psutil

from labkit import credentials, paths, procs, tls
from labkit.services import BY_NAME, DAEMONS, MODULES
from labkit.services.base import Daemon


class StartFailed(RuntimeError):
    """One or more daemons did not become ready; the message points at their logs."""


def _tail(path, lines: int = 8) -> str:
    try:
        return "\n".join("      " + l for l in path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "      (no log)"


def _start_when_ready(daemon: Daemon, deadline: float, failures: dict[str, str]) -> None:
    for dep in daemon.after:
        if not BY_NAME[dep].wait_ready(deadline - time.monotonic()):
            failures[daemon.name] = f"waited for {dep}, which is not ready"
            return
    try:
        daemon.start()
    except Exception as exc:  # reported with the others below, so one broken daemon names itself
        failures[daemon.name] = f"{type(exc).__name__}: {exc}"
        return
    if not daemon.wait_ready(deadline - time.monotonic()):
        state = "exited" if not daemon.running() else "did not become ready"
        failures[daemon.name] = f"{state}; last lines of {procs.log_file(daemon.name)}:\n{_tail(procs.log_file(daemon.name))}"


def up(timeout: float = 120.0, echo=print) -> list[str]:
    """Start every daemon that is not running and wait until all are ready; return what started."""
    t0 = time.monotonic()
    credentials.local()
    tls.ensure()
    todo = [d for d in DAEMONS if not d.running()]
    for daemon in todo:
        daemon.leftovers()
    for daemon in todo:
        daemon.check_ports()
    failures: dict[str, str] = {}
    threads = [threading.Thread(target=_start_when_ready, args=(d, t0 + timeout, failures), daemon=True)
               for d in todo]
    for thread in threads:
        thread.start()
    for daemon in DAEMONS:
        if daemon not in todo and not daemon.wait_ready(t0 + timeout - time.monotonic()):
            failures[daemon.name] = f"runs but is not ready; see {procs.log_file(daemon.name)}"
    for thread in threads:
        thread.join()
    if failures:
        raise StartFailed("the local cloud did not start:\n" + "\n".join(f"  - {n}: {w}" for n, w in failures.items()))
    for module in MODULES:
        if hasattr(module, "setup"):
            module.setup()
    echo(f"local cloud up in {time.monotonic() - t0:.1f} s ({len(todo)} of {len(DAEMONS)} daemons started)")
    return [d.name for d in todo]


def down(echo=print) -> None:
    """Stop every daemon and anything a crashed run left behind in the state folder."""
    t0 = time.monotonic()
    threads = [threading.Thread(target=d.stop, daemon=True) for d in DAEMONS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state = str(paths.state_dir())
    for proc in psutil.process_iter(["pid", "cmdline"]):
        if proc.pid != os.getpid() and any(state in arg for arg in proc.info["cmdline"] or ()):
            procs.stop_pid(proc.pid, timeout=2.0)
    echo(f"local cloud down in {time.monotonic() - t0:.1f} s")
