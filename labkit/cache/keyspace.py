"""Each lab keeps its keys under its own prefix, so labs can run in any order and twice."""
from __future__ import annotations

import redis


def clear(client: redis.Redis, prefix: str) -> int:
    """Delete every key under ``prefix`` (``prefix`` must end with ':'); return how many."""
    if not prefix.endswith(":"):
        raise ValueError(f"prefix {prefix!r} must end with ':' so it cannot match another lab's keys")
    deleted = 0
    batch: list[str] = []
    for key in client.scan_iter(match=prefix + "*", count=1000):
        batch.append(key)
        if len(batch) == 1000:
            deleted += client.unlink(*batch)
            batch.clear()
    if batch:
        deleted += client.unlink(*batch)
    return deleted
