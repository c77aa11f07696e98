"""Where client-side sharding put each key: every memcached node is asked directly.

ElastiCache for Memcached does not replicate; the client hashes each key to one node, so a key
lives on exactly one node and is lost with it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from labkit.cache.clients import MEMCACHED_NODES, memcached_node


def placement(keys: Iterable[str], nodes: tuple[str, ...] = MEMCACHED_NODES,
              connect: Callable = memcached_node) -> dict[str, list[str]]:
    """For each node, the keys of ``keys`` it holds, in the order given."""
    wanted = list(keys)
    if not wanted:
        raise ValueError("give at least one key to look for")
    found = {}
    for name in nodes:
        held = connect(name).get_many(wanted)
        found[name] = [key for key in wanted if key in held]
    return found
