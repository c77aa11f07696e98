"""Redis settings a lab changes, always set back: the cluster other labs find must be the default.

``changed()`` restores on the way out, even on an error or an interrupted cell; ``reset()``
puts back the baseline after a kernel that died halfway, and ``cache.health.heal()`` calls it.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import redis

# What the local cloud's Redis nodes run with; every setting a lab may change is listed here.
BASELINE = {
    "maxmemory": "0",
    "maxmemory-policy": "noeviction",
    "maxmemory-samples": "5",
    "appendonly": "no",
    "appendfsync": "everysec",
    "lfu-log-factor": "10",
    "lfu-decay-time": "1",
}


def current(client: redis.Redis, names) -> dict[str, str]:
    values = {}
    for name in names:
        found = client.config_get(name)
        if name not in found:
            raise KeyError(f"Redis has no setting {name!r}")
        values[name] = found[name]
    return values


@contextmanager
def changed(client: redis.Redis, **settings: str | int) -> Iterator[dict[str, str]]:
    """Apply ``settings`` (underscores stand for dashes) and yield the values they replaced."""
    wanted = {name.replace("_", "-"): str(value) for name, value in settings.items()}
    before = current(client, wanted)
    try:
        for name, value in wanted.items():
            client.config_set(name, value)
        yield before
    finally:
        for name, value in before.items():
            client.config_set(name, value)


def reset(client: redis.Redis) -> dict[str, str]:
    """Set every baseline setting back; return the ones that had been left changed."""
    drifted = {name: value for name, value in current(client, BASELINE).items() if value != BASELINE[name]}
    for name in drifted:
        client.config_set(name, BASELINE[name])
    return drifted
