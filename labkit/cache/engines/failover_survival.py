"""Which Redis keys survive a Multi-AZ failover: ElastiCache for Redis keeps a replica, Memcached none.

The page writes the keys through the primary endpoint with its own function, which ends with
``WAIT`` (replication is asynchronous, so without that wait a crash can lose the last writes).
This module then kills the primary, waits for Sentinel to promote the replica, and hands the
page's read a Sentinel-aware client, which finds the new primary as an application would.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import redis

from labkit.cache import clients, failover


@dataclass(frozen=True)
class Survival:
    written: int
    replicas_acked: int     # replicas WAIT confirmed before the crash
    old_primary: str
    new_primary: str
    seconds_to_new_primary: float
    survived: int


def crash_and_read_back(prefix: str, write: Callable[[redis.Redis, list[str]], int],
                        read: Callable[[redis.Redis, list[str]], int],
                        after: Callable[[], redis.Redis] = clients.sentinel_primary, n: int = 1000) -> Survival:
    """``write(primary, names)`` (returns the replicas that confirmed), crash the primary, then
    ``read(after(), names)`` (returns how many keys are there) on the new primary."""
    if n < 1:
        raise ValueError(f"need at least one key (got {n})")
    writer = clients.primary()
    names = [f"{prefix}order:{k}" for k in range(n)]
    writer.delete(*names)  # a copy left by an earlier run must not count as a survivor
    acked = write(writer, names)
    old = failover.crash_primary()
    new, seconds = failover.wait_for_new_primary(old)
    return Survival(n, acked, old, new, seconds, read(after(), names))
