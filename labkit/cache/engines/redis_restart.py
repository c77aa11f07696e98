"""Crash a standalone Redis, or restore one from a snapshot: what a node keeps.

``crash`` is the ``kill -9``; ``standalone.restart`` then starts the node on the folder it left
(``CONFIG REWRITE`` first puts the settings a lab changed at run time, appendonly and appendfsync,
into the config file the restart reads). ``restore`` starts a node fresh except for an RDB
snapshot put in its folder: a backup restore.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import redis

from labkit import accounts, procs
from labkit.cache import standalone


def crash(name: str) -> int:
    """``kill -9`` the redis-server of standalone node ``name``; return its pid."""
    standalone.daemon(name)
    return procs.kill_child(name)


def restore(snapshot: Path, name: str, timeout: float = 15.0) -> redis.Redis:
    """Start ``name`` fresh, but with ``snapshot`` (an RDB file) as its data: a backup restore."""
    node = standalone.daemon(name)
    node.stop()
    node.prepare()  # empty folder, default config: a new node
    target = node.folder / "dump.rdb"
    shutil.copyfile(snapshot, target)
    accounts.give(target, 0o644)
    return standalone.restart(name, timeout)
