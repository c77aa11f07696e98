"""Lone Redis nodes a lab starts for itself: resized, filled, crashed and thrown away, while the
replicated pair other labs rely on stays untouched."""
from __future__ import annotations

import redis

from labkit import procs
from labkit.cache.clients import redis_at
from labkit.services import BY_NAME
from labkit.services.base import Daemon
from labkit.services.redis import STANDALONE


def daemon(name: str) -> Daemon:
    """The standalone node ``name``; a node of the replicated pair is refused."""
    if name not in STANDALONE:
        raise KeyError(f"{name!r} is not a standalone Redis; use one of {', '.join(STANDALONE)}")
    return BY_NAME[name]


def _ready(node: Daemon, timeout: float) -> redis.Redis:
    node.wait_started(timeout)
    return redis_at(node.name)


def start(name: str = STANDALONE[0], timeout: float = 15.0, **settings: str | int) -> redis.Redis:
    """Start ``name`` empty (stopping a previous run of it), apply ``settings``, return a client."""
    node = daemon(name)
    node.stop()
    node.start()
    client = _ready(node, timeout)
    for setting, value in settings.items():
        client.config_set(setting.replace("_", "-"), str(value))
    return client


def restart(name: str, timeout: float = 15.0) -> redis.Redis:
    """Start ``name`` again on the data and config file it left (``start`` would wipe them), as a
    node restarts after a crash; return a client."""
    node = daemon(name)
    procs.stop(name)  # the supervisor of a crashed node exits with it; this tidies its pid files
    node.check_ports()
    procs.spawn(name, node.argv(), cwd=node.folder)
    return _ready(node, timeout)


def stop(name: str | None = None) -> None:
    """Stop ``name``, or every standalone node when None."""
    for each in [name] if name else STANDALONE:
        daemon(each).stop()
