"""Memcached sharding and the loss of a node: what ElastiCache for Memcached leaves to the client.

The page opens the client (pymemcache's HashClient, which picks each key's node by rendezvous
hashing) and writes the cache-aside read. This module loads the keys, stops a node, and runs the
page's read over every key in each phase, counting the reads that hit. Stopping a node loses
every key it held; the client then drops the dead node and rehashes, and rendezvous hashing moves
only the dead node's keys. A restarted node comes back empty: Memcached keeps nothing on disk.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from pymemcache.client.hash import HashClient

from labkit import tables
from labkit.cache import clients
from labkit.endpoints import ENDPOINTS
from labkit.services import BY_NAME

def keys(prefix: str, n: int) -> list[str]:
    if n < 1:
        raise ValueError(f"need at least one key (got {n})")
    return [f"{prefix}item:{k}" for k in range(n)]


def forget(prefix: str, n: int = 1000) -> None:
    """Delete the ``n`` keys on every node, also the copies a refill left on a node not their home."""
    for node in clients.MEMCACHED_NODES:
        clients.memcached_node(node).delete_many(keys(prefix, n), noreply=False)


def node_of(client: HashClient) -> Callable[[str], str | None]:
    """Which node name ``client`` sends a key to now (None when no node is left)."""
    by_address = {"%s:%s" % ENDPOINTS[n].address: n for n in clients.MEMCACHED_NODES}
    return lambda key: by_address.get(client.hasher.get_node(key))


def items_on(node: str) -> int:
    """``curr_items`` of one node: every item it holds now."""
    return int(clients.memcached_node(node).stats()[b"curr_items"])


class _HitCounter:
    """A client whose GETs count the keys found; the page's read runs on it unchanged."""

    def __init__(self, client):
        self.client, self.hits = client, 0

    def get(self, key, *args, **kwargs):
        value = self.client.get(key, *args, **kwargs)
        self.hits += value is not None
        return value

    def __getattr__(self, name):
        return getattr(self.client, name)


def hit_ratio(client, names: list[str], read: Callable) -> float:
    """Share of ``names`` whose ``read(client, key)`` was answered by the cache."""
    counter = _HitCounter(client)
    for key in names:
        read(counter, key)
    return counter.hits / len(names)


@dataclass
class NodeLoss:
    """What one run of ``node_loss`` measured."""

    lost: str
    loaded: int
    placed: dict[str, int]                                     # items each node gained in the load
    hit_ratio: dict[str, float] = field(default_factory=dict)  # phase -> share of reads that hit
    moved: dict[str, Counter] = field(default_factory=dict)    # home node -> nodes its keys map to now
    kept_after_restart: int = 0                                # lost node's keys it held once back

    def table(self) -> str:
        return tables.markdown(["phase", "hit ratio"],
                               [[phase, f"{ratio:.1%}"] for phase, ratio in self.hit_ratio.items()], align="lr")


def restart(node: str, timeout: float = 15.0) -> None:
    """Start a stopped memcached node again (empty: memcached keeps nothing on disk)."""
    daemon = BY_NAME[node]
    daemon.start()
    daemon.wait_started(timeout)


def node_loss(prefix: str, connect: Callable[[tuple[str, ...]], HashClient], read: Callable,
              n: int = 1000, lose: str = "memcached2") -> NodeLoss:
    """Load ``n`` keys over both nodes through ``connect(nodes)``, stop ``lose``, run
    ``read(client, key)`` over every key through the loss and the rehash, then start the node
    again and read once more with a new client."""
    if lose not in clients.MEMCACHED_NODES:
        raise KeyError(f"{lose!r} is not a memcached node; use one of {', '.join(clients.MEMCACHED_NODES)}")
    names = keys(prefix, n)
    forget(prefix, n)
    app = connect(clients.MEMCACHED_NODES)
    before = {node: items_on(node) for node in clients.MEMCACHED_NODES}
    app.set_many({key: b"from the database" for key in names}, noreply=False)
    placed = {node: items_on(node) - before[node] for node in clients.MEMCACHED_NODES}
    first = node_of(app)
    home = {key: first(key) for key in names}
    result = NodeLoss(lose, n, placed)
    result.hit_ratio["both nodes up"] = hit_ratio(app, names, read)

    BY_NAME[lose].stop()
    result.hit_ratio[f"{lose} stopped"] = hit_ratio(app, names, read)
    now = node_of(app)
    result.moved = {node: Counter(now(k) for k in names if home[k] == node) for node in clients.MEMCACHED_NODES}
    result.hit_ratio[f"{lose} dropped by the client, misses refilled"] = hit_ratio(app, names, read)

    restart(lose)
    own = [k for k in names if home[k] == lose]
    result.kept_after_restart = len(clients.memcached_node(lose).get_many(own))
    result.hit_ratio[f"{lose} restarted, new client"] = hit_ratio(connect(clients.MEMCACHED_NODES), names, read)
    return result
