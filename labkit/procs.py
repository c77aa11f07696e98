"""Start, find and stop the daemons of the local cloud.

Each daemon runs under ``labkit.supervise`` in a session of its own, so it outlives the command
that started it; its pid file and log live in the state folder.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, TypeVar

import psutil

from labkit import paths, poll, supervise
from labkit.endpoints import ServiceUnavailable

T = TypeVar("T")


def pid_file(name: str) -> Path:
    return paths.sub("run") / f"{name}.pid"


def child_pid_file(name: str) -> Path:
    return paths.sub("run") / f"{name}.child.pid"


def kill_child(name: str) -> int:
    """``kill -9`` the server process of daemon ``name`` (not its supervisor), as a crash would;
    return its pid."""
    pid = int(child_pid_file(name).read_text().strip())
    os.kill(pid, signal.SIGKILL)
    return pid


def recorded() -> list[str]:
    """Names of every daemon started through spawn() in this state folder, running or not."""
    return sorted(p.name[:-len(".pid")] for p in paths.sub("run").glob("*.pid") if not p.name.endswith(".child.pid"))


def log_file(name: str) -> Path:
    return paths.sub("logs") / f"{name}.log"


def _alive(pid: int) -> psutil.Process | None:
    try:
        proc = psutil.Process(pid)
        return None if proc.status() == psutil.STATUS_ZOMBIE else proc
    except psutil.NoSuchProcess:
        return None


def _recorded(path: Path) -> psutil.Process | None:
    """The live process whose pid ``path`` holds; a pid reused by a newer process does not count."""
    try:
        pid, written = int(path.read_text()), path.stat().st_mtime
    except (FileNotFoundError, ValueError):
        return None
    proc = _alive(pid)
    try:
        return proc if proc and proc.create_time() <= written + 1 else None
    except psutil.NoSuchProcess:
        return None


def running(name: str) -> psutil.Process | None:
    """The supervisor of daemon ``name`` if it is alive."""
    return _recorded(pid_file(name))


# (pid, start time, port) found listening. A server keeps the ports it bound, and asking the
# kernel costs tens of milliseconds on a machine with many sockets, so a yes is asked once.
_LISTENING: set[tuple[int, float, int]] = set()


def listening(name: str, port: int) -> bool:
    """Whether daemon ``name`` of this state folder listens on ``port``: its server, or one that
    outlived its supervisor. A port the environment moved may be held by someone else's server."""
    for proc in (running(name), _recorded(child_pid_file(name))):
        try:
            if proc is None:
                continue
            key = (proc.pid, proc.create_time(), port)
            if key in _LISTENING or any(c.status == psutil.CONN_LISTEN and c.laddr.port == port
                                        for c in proc.net_connections(kind="inet")):
                _LISTENING.add(key)
                return True
        except psutil.NoSuchProcess:
            continue  # it exited while we looked: it holds nothing
    return False


def spawn(name: str, argv: list[str], cwd: Path | None = None, env: dict | None = None,
          as_caller: bool = False) -> None:
    """Start ``argv`` as daemon ``name``, logging to logs/NAME.log: as the daemon account, or with
    ``as_caller`` as whoever runs labkit (for programs that need no account of their own)."""
    log = open(log_file(name), "ab")
    log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {' '.join(argv)}\n".encode())
    log.flush()
    proc = subprocess.Popen(
        [sys.executable, "-m", "labkit.supervise", "--", *argv],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        cwd=cwd or paths.state_dir(),  # PYTHONPATH: the supervisor imports labkit from this checkout
        env={**os.environ, **(env or {}), "PYTHONPATH": str(paths.REPO),
             supervise.CHILD_PID_FILE: str(child_pid_file(name)),
             supervise.AS_CALLER: "1" if as_caller else ""},
        start_new_session=True,
    )
    log.close()
    pid_file(name).write_text(str(proc.pid))


def wait_answering(name: str, answers: Callable[[], T], timeout: float, *,
                   retry_on: tuple[type[BaseException], ...] = ()) -> T:
    """Wait until daemon ``name``, just spawned, answers (``answers()`` is true) and return that;
    fail at once if it exits first. Either failure names its log, where the reason is."""
    def check() -> T:
        if running(name) is None:
            raise ServiceUnavailable(f"{name} exited while starting; see {log_file(name)}")
        return answers()

    return poll.until(check, timeout, f"{name} to answer", retry_on=retry_on, hint=f"see {log_file(name)}")


def stop_pid(pid: int, timeout: float, sig: int = signal.SIGTERM) -> None:
    """Ask a process to stop, and kill it if it has not after ``timeout`` seconds."""
    proc = _alive(pid)
    try:
        if proc is not None:
            proc.send_signal(sig)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            proc.kill()
    except psutil.NoSuchProcess:
        return  # it went away between the check and the signal: stopped, as asked


def stop(name: str, timeout: float = 5.0) -> None:
    """Stop daemon ``name``: through its supervisor, or directly if the supervisor was killed."""
    proc = running(name)
    if proc is not None:
        stop_pid(proc.pid, timeout)
    orphan = _recorded(child_pid_file(name))
    if orphan is not None:
        stop_pid(orphan.pid, timeout)
    pid_file(name).unlink(missing_ok=True)
    child_pid_file(name).unlink(missing_ok=True)


def postmaster_pid(data_dir: Path) -> int | None:
    """The pid PostgreSQL recorded in its data folder, if that process still runs."""
    try:
        pid = int((data_dir / "postmaster.pid").read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None
    proc = _alive(pid)
    return pid if proc and proc.name() in ("postgres", "postmaster") else None
