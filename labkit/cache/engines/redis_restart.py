"""Crash a standalone Redis and start it again on the data it left: what a node restart keeps.

``standalone.start`` always begins empty (its ``prepare`` wipes the folder). To see what AOF or
an RDB snapshot brings back, the node must start again on the same folder, so ``restart`` runs
the daemon's own command line without ``prepare``; ``CONFIG REWRITE`` first puts the settings the
lab changed at run time (appendonly, appendfsync) into the config file the restart reads.
``restore`` starts a node fresh except for an RDB snapshot put in its folder: a backup restore.
"""
from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import redis

from labkit import accounts, procs
from labkit.cache.clients import redis_at
from labkit.endpoints import ServiceUnavailable
from labkit.services import BY_NAME
from labkit.services.redis import STANDALONE


def _daemon(name: str):
    if name not in STANDALONE:
        raise KeyError(f"{name!r} is not a standalone Redis; use one of {', '.join(STANDALONE)}")
    return BY_NAME[name]


def crash(name: str) -> int:
    """``kill -9`` the redis-server of ``name``; return its pid."""
    _daemon(name)
    pid = int(procs.child_pid_file(name).read_text().strip())
    os.kill(pid, signal.SIGKILL)
    return pid


def restart(name: str, timeout: float = 15.0) -> redis.Redis:
    """Start ``name`` again on its existing data folder (no wipe); return a client."""
    daemon = _daemon(name)
    procs.stop(name)  # the supervisor of a crashed node exits with it; this tidies its pid files
    daemon.check_ports()
    procs.spawn(name, daemon.argv(), cwd=daemon.folder)
    if not daemon.wait_ready(timeout):
        raise ServiceUnavailable(f"{name} did not restart in {timeout:.0f} s; see {procs.log_file(name)}")
    return redis_at(name)


def restore(snapshot: Path, name: str, timeout: float = 15.0) -> redis.Redis:
    """Start ``name`` fresh, but with ``snapshot`` (an RDB file) as its data: a backup restore."""
    daemon = _daemon(name)
    daemon.stop()
    daemon.prepare()  # empty folder, default config: a new node
    target = daemon.folder / "dump.rdb"
    shutil.copyfile(snapshot, target)
    accounts.give(target, 0o644)
    return restart(name, timeout)
