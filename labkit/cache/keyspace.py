"""Each lab keeps its keys under its own prefix, so labs can run in any order and twice."""
from __future__ import annotations

import redis


def keys(client: redis.Redis, prefix: str):
    """The keys under ``prefix``, scanned in batches (SCAN, not the blocking KEYS)."""
    return client.scan_iter(match=prefix + "*", count=1000)


def count(client: redis.Redis, prefix: str) -> int:
    """How many keys the cache holds under ``prefix``."""
    return sum(1 for _ in keys(client, prefix))


def clear(client: redis.Redis, prefix: str) -> int:
    """Delete every key under ``prefix`` (``prefix`` must end with ':'); return how many."""
    if not prefix.endswith(":"):
        raise ValueError(f"prefix {prefix!r} must end with ':' so it cannot match another lab's keys")
    deleted = 0
    batch: list[str] = []
    for key in keys(client, prefix):
        batch.append(key)
        if len(batch) == 1000:
            deleted += client.unlink(*batch)
            batch.clear()
    if batch:
        deleted += client.unlink(*batch)
    return deleted
