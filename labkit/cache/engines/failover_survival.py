"""Which Redis keys survive a Multi-AZ failover: ElastiCache for Redis keeps a replica, Memcached none.

Keys are written through the primary endpoint, and ``WAIT`` blocks until the replica has them:
replication is asynchronous, so without that wait a crash can lose the last writes. Then the
primary is killed, Sentinel promotes the replica, and the keys are read back through a
Sentinel-aware client, which finds the new primary as an application would.
"""
from __future__ import annotations

from dataclasses import dataclass

from labkit.cache import clients, failover


@dataclass(frozen=True)
class Survival:
    written: int
    replicas_acked: int     # replicas WAIT confirmed before the crash
    old_primary: str
    new_primary: str
    seconds_to_new_primary: float
    survived: int


def crash_and_read_back(prefix: str, n: int = 1000, wait_ms: int = 2000) -> Survival:
    """Write ``n`` keys, WAIT for the replica, crash the primary, read them via the new one."""
    if n < 1:
        raise ValueError(f"need at least one key (got {n})")
    writer = clients.primary()
    names = [f"{prefix}order:{k}" for k in range(n)]
    writer.delete(*names)  # a copy left by an earlier run must not count as a survivor
    writer.mset({key: f"value {k}" for k, key in enumerate(names)})
    acked = writer.wait(1, wait_ms)
    old = failover.crash_primary()
    new, seconds = failover.wait_for_new_primary(old)
    found = clients.sentinel_primary().mget(names)
    return Survival(n, acked, old, new, seconds, sum(v is not None for v in found))
