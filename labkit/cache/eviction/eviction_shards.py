"""Spread keys over several lone Redis nodes by key, as a client does to scale a cache out.

redis-py has no sharding client for nodes that are not a Redis Cluster (its ``RedisCluster``
needs servers in cluster mode, and ``MultiDBClient`` is for failing over between databases, not
for splitting keys). So this tiny router does what cluster mode does on the server side: it
hashes each key to one of 16384 slots with redis-py's own ``key_slot`` (CRC16, hash tags
honoured) and gives each node an equal, contiguous range of slots.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import redis
from redis.crc import REDIS_CLUSTER_HASH_SLOTS, key_slot


def shard_index(key: str, shards: int) -> int:
    """Which of ``shards`` nodes holds ``key``: its slot's share of the 16384 slots."""
    if shards < 1:
        raise ValueError(f"need at least one shard (got {shards})")
    return key_slot(key.encode()) * shards // REDIS_CLUSTER_HASH_SLOTS


class ShardRouter:
    """A fixed list of Redis clients; each key always goes to the same one."""

    def __init__(self, clients: Sequence[redis.Redis]):
        if not clients:
            raise ValueError("a router needs at least one Redis client")
        self.clients = list(clients)

    def split(self, keys: Iterable[str]) -> dict[int, list[str]]:
        """The keys grouped by shard index, each group in the order given."""
        groups: dict[int, list[str]] = {}
        for key in keys:
            groups.setdefault(shard_index(key, len(self.clients)), []).append(key)
        return groups
