"""Lone Redis nodes a lab starts for itself: resized, filled, crashed and thrown away, while the
replicated pair other labs rely on stays untouched."""
from __future__ import annotations

import redis

from labkit import procs
from labkit.endpoints import ServiceUnavailable
from labkit.services import BY_NAME
from labkit.services.redis import STANDALONE
from labkit.cache.clients import redis_at


def start(name: str = STANDALONE[0], timeout: float = 15.0, **settings: str | int) -> redis.Redis:
    """Start ``name`` empty (stopping a previous run of it), apply ``settings``, return a client."""
    if name not in STANDALONE:
        raise KeyError(f"{name!r} is not a standalone Redis; use one of {', '.join(STANDALONE)}")
    daemon = BY_NAME[name]
    daemon.stop()
    daemon.start()
    if not daemon.wait_ready(timeout):
        raise ServiceUnavailable(f"{name} did not start in {timeout:.0f} s; see {procs.log_file(name)}")
    client = redis_at(name)
    for setting, value in settings.items():
        client.config_set(setting.replace("_", "-"), str(value))
    return client


def stop(name: str | None = None) -> None:
    """Stop ``name``, or every standalone node when None."""
    for each in [name] if name else STANDALONE:
        BY_NAME[each].stop()
