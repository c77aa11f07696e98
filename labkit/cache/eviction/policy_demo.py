"""Fill a small Redis node past its ``maxmemory`` and report what its ``maxmemory-policy`` did.

Eviction is a policy, not a law of nature: ``allkeys-*`` policies evict, ``volatile-*`` ones
evict only keys that have a TTL, and ``noeviction`` (the open-source default) refuses the write
with an OOM error. Use it on a node a lab owns (``standalone.start``): it flushes the node.
"""
from __future__ import annotations

from dataclasses import dataclass

import redis

from labkit import tables
from labkit.cache import keyspace


@dataclass(frozen=True)
class Fill:
    """What one fill did: writes accepted, keys evicted, keys left, and the first refusal
    (redis-py turns the server's ``OOM ...`` reply into ``OutOfMemoryError``)."""

    policy: str
    ttl: float | None
    attempted: int
    written: int
    evicted: int
    kept: int
    refused: str | None


def fill(client: redis.Redis, prefix: str, keys: int, value_bytes: int = 1000,
         ttl: float | None = None, batch: int = 100) -> Fill:
    """Write ``keys`` values of ``value_bytes`` under ``prefix``; stop at the first refused write."""
    if not prefix.endswith(":"):
        raise ValueError(f"prefix {prefix!r} must end with ':'")
    if keys < 1 or value_bytes < 1 or batch < 1:
        raise ValueError(f"keys, value_bytes and batch must be positive (got {keys}, {value_bytes}, {batch})")
    evicted_before = client.info("stats")["evicted_keys"]
    value, px = "x" * value_bytes, None if ttl is None else round(ttl * 1000)
    written, refused = 0, None
    for start in range(0, keys, batch):
        pipe = client.pipeline(transaction=False)
        for i in range(start, min(start + batch, keys)):
            pipe.set(f"{prefix}{i}", value, px=px)
        replies = pipe.execute(raise_on_error=False)
        written += sum(reply is True for reply in replies)
        errors = [reply for reply in replies if isinstance(reply, Exception)]
        if errors:
            refused = f"{type(errors[0]).__name__}: {errors[0]}"
            break
    return Fill(policy=client.config_get("maxmemory-policy")["maxmemory-policy"], ttl=ttl,
                attempted=keys, written=written,
                evicted=client.info("stats")["evicted_keys"] - evicted_before,
                kept=keyspace.count(client, prefix), refused=refused)


def try_policy(client: redis.Redis, policy: str, prefix: str, keys: int, value_bytes: int = 1000,
               ttl: float | None = None) -> Fill:
    """Empty the node, switch it to ``policy`` and fill it."""
    client.flushall()
    client.config_set("maxmemory-policy", policy)
    return fill(client, prefix, keys, value_bytes, ttl)


def table(fills: list[Fill]) -> str:
    """A Markdown table of fills, one row each."""
    return tables.markdown(
        ["maxmemory-policy", "keys have a TTL", "writes accepted", "evicted", "keys left", "first refusal"],
        [[f"`{f.policy}`", "yes" if f.ttl else "no", f"{f.written} of {f.attempted}", f.evicted, f.kept,
          f.refused or "-"] for f in fills],
        align="llrrrl")
