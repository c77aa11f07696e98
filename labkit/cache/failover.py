"""Fail the Redis primary and watch Sentinel promote the replica: ElastiCache Multi-AZ failover.

``crash_primary`` is a ``kill -9`` of the primary's redis-server, as a lost node would be; the
Sentinels notice after ``down-after-milliseconds`` (1 s here) and promote the replica.
"""
from __future__ import annotations

import time

import redis

from labkit import poll, procs
from labkit.cache.clients import redis_at
from labkit.endpoints import START_HINT
from labkit.services.redis import CACHE, Pair, node_at, primary_address


class NoNewPrimary(poll.TimedOut):
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


def wait_for_new_primary(old: str, timeout: float | None = None, pair: Pair = CACHE) -> tuple[str, float]:
    """Wait until a node other than ``old`` is primary and accepts writes; return it and the wait.
    The default bound follows from the pair's Sentinel settings (``Pair.failover_bound_s``)."""
    def promoted() -> str | None:
        name = primary_node(pair)
        return name if name != old and redis_at(name).role()[0] == "master" else None

    t0 = time.monotonic()
    new = poll.until(promoted, pair.failover_bound_s if timeout is None else timeout,
                     f"a Redis primary other than {old}", interval=0.05, error=NoNewPrimary,
                     retry_on=(redis.RedisError, ConnectionError, LookupError))  # Sentinels between states
    return new, time.monotonic() - t0
