"""Fail the Redis primary and watch Sentinel promote the replica: ElastiCache Multi-AZ failover.

``crash_primary`` is a ``kill -9`` of the primary's redis-server, as a lost node would be; the
Sentinels notice after ``down-after-milliseconds`` (1 s here) and promote the replica.
"""
from __future__ import annotations

import time

import redis

from labkit import procs
from labkit.cache.clients import redis_at
from labkit.endpoints import START_HINT
from labkit.services.redis import CACHE, Pair, node_at, primary_address


class NoNewPrimary(RuntimeError):
    """Sentinel did not promote a new primary in time."""


def primary_node(pair: Pair = CACHE) -> str:
    """The node the Sentinels of ``pair`` currently name as primary."""
    address = primary_address(pair)
    if address is None:
        raise LookupError(f"no Sentinel names a live primary; `{START_HINT}` starts what is down")
    name = node_at(address, pair)
    if name is None:
        raise LookupError(f"the Sentinels name {address[0]}:{address[1]} as primary, which is none of {pair.nodes}")
    return name


def crash_primary() -> str:
    """``kill -9`` the primary's redis-server; return which node it was."""
    name = primary_node()
    procs.kill_child(name)
    return name


def wait_for_new_primary(old: str, timeout: float = 30.0, pair: Pair = CACHE) -> tuple[str, float]:
    """Wait until a node other than ``old`` is primary and accepts writes; return it and the wait."""
    t0 = time.monotonic()
    seen: object = "nothing yet"
    while time.monotonic() - t0 < timeout:
        try:
            seen = primary_node(pair)
            if seen != old and redis_at(seen).role()[0] == "master":
                return seen, time.monotonic() - t0
        except (redis.RedisError, ConnectionError, LookupError) as exc:
            seen = exc  # Sentinels or nodes between states: ask again
        time.sleep(0.05)
    raise NoNewPrimary(f"no new Redis primary {timeout:.0f} s after {old} failed (last seen: {seen})")
