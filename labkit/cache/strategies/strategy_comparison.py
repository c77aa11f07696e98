"""Several caching strategies on the same mix of reads and writes, measured side by side.

Every strategy replays the same operations (same seed) against the same catalogue, each under
its own key prefix, starting from an empty cache; the page's read and write functions run
unchanged on a ``Probe``, which counts their round trips and tells hits from misses. The driver
issues the writes, so it knows the database's version of every row at every moment: a read is
stale when the page it returns is older. At the end it takes stock of the cache: which entries were never asked for by a reader
(write-through's "cache churn") and how many bytes they hold.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import redis
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from labkit import tables
from labkit.cache import keyspace, workload
from labkit.cache.catalog import Catalog
from labkit.cache.strategies.probe import Probe
from labkit.cache.strategies.strategy import Strategy
from labkit.measure import Summary, summary_ms


def mixed_workload(n_keys: int, n_ops: int, write_share: float = 0.4, hot_write_share: float = 0.25,
                   s: float = 1.1, seed: int = 7) -> list[tuple[str, int]]:
    """``n_ops`` operations ("read" or "write", product id).

    Reads follow a Zipf law (a few hot products). Writes touch the whole catalogue uniformly (a
    price feed), except a ``hot_write_share`` of them that follow the readers' Zipf law (the
    popular products change too).
    """
    for name, share in (("write_share", write_share), ("hot_write_share", hot_write_share)):
        if not 0 <= share <= 1:
            raise ValueError(f"{name} is a share in [0, 1] (got {share})")
    hot = workload.zipf(n_keys, n_ops, s=s, seed=seed)
    spread = workload.uniform(n_keys, n_ops, seed=seed + 1)
    rng = np.random.default_rng(seed + 2)
    is_write = rng.random(n_ops) < write_share
    is_hot_write = rng.random(n_ops) < hot_write_share
    return [("write", int(hot[i] if is_hot_write[i] else spread[i])) if is_write[i] else ("read", int(hot[i]))
            for i in range(n_ops)]


@dataclass
class CacheStock:
    """What the cache holds under one prefix, split by whether a reader ever asked for it."""

    keys: int = 0
    bytes: int = 0
    never_read_keys: int = 0
    never_read_bytes: int = 0

    @property
    def never_read_share(self) -> float:
        return self.never_read_keys / self.keys if self.keys else 0.0


def take_stock(cache: redis.Redis, prefix: str, read_keys: set[str]) -> CacheStock:
    """Count the keys under ``prefix`` and their MEMORY USAGE, apart for keys not in ``read_keys``."""
    keys = list(keyspace.keys(cache, prefix))
    pipe = cache.pipeline(transaction=False)
    for key in keys:
        pipe.memory_usage(key)
    stock = CacheStock()
    for key, size in zip(keys, pipe.execute()):
        if size is None:  # expired between the scan and the count
            continue
        stock.keys += 1
        stock.bytes += size
        if key not in read_keys:
            stock.never_read_keys += 1
            stock.never_read_bytes += size
    return stock


@dataclass
class StrategyRun:
    """One strategy's replay of the workload."""

    label: str
    hit_ratio: float
    misses: int
    read_latency_s: list[float]
    stale_reads: int
    writes: int
    write_calls: Counter  # round trips of the writes, by step (``probe`` step names)
    stock: CacheStock = field(default_factory=CacheStock)
    read_keys: set[str] = field(default_factory=set)

    @property
    def reads(self) -> int:
        return len(self.read_latency_s)

    @property
    def read_ms(self) -> Summary:
        """Read latency percentiles in ms (``measure.summary_ms``)."""
        return summary_ms(self.read_latency_s)

    @property
    def mean_read_ms(self) -> float:
        return 1000 * sum(self.read_latency_s) / self.reads if self.reads else 0.0

    @property
    def stale_share(self) -> float:
        return self.stale_reads / self.reads if self.reads else 0.0

    @property
    def calls_per_write(self) -> float:
        return sum(self.write_calls.values()) / self.writes if self.writes else 0.0


def current_versions(conn: Connection, catalog: Catalog) -> dict[int, int]:
    """Every product's version in the database now."""
    rows = conn.execute(sa.text(f"SELECT id, version FROM {catalog.product_table}"))
    versions = {product: version for product, version in rows}
    conn.commit()
    return versions


def replay(strategy: Strategy, cache, conn: Connection, catalog: Catalog,
           ops: list[tuple[str, int]]) -> StrategyRun:
    """Run ``ops`` through ``strategy`` from an empty cache and measure what the readers got."""
    keyspace.clear(cache, strategy.prefix)
    versions = current_versions(conn, catalog)
    probe = Probe(cache, conn)
    latency, stale, hits, read_keys, write_calls, writes = [], 0, 0, set(), Counter(), 0
    for i, (kind, product_id) in enumerate(ops):
        if kind == "read":
            seen = probe.watch(strategy.read, probe.cache, probe.conn, product_id)
            latency.append(seen.seconds)
            hits += seen.hit
            read_keys |= seen.keys_read()
            stale += seen.result["version"] < versions[product_id]
        else:
            seen = probe.watch(strategy.write, probe.cache, probe.conn, product_id, f"{5 + i % 9500 / 100:.2f}")
            versions[product_id] = seen.result
            write_calls += seen.steps()
            writes += 1
    reads = len(latency)
    return StrategyRun(strategy.label, hits / reads if reads else 0.0, reads - hits, latency, stale, writes,
                       write_calls, take_stock(cache, strategy.prefix, read_keys), read_keys)


def stock_after_idle(strategies: list[Strategy], runs: list[StrategyRun], cache,
                     idle_s: float) -> dict[str, CacheStock]:
    """Each run's cache after ``idle_s`` seconds without traffic. Entries with a shorter TTL are
    gone by then, whatever the speed of the run; entries without one are all still there."""
    time.sleep(idle_s)
    prefixes = {s.label: s.prefix for s in strategies}
    return {r.label: take_stock(cache, prefixes[r.label], r.read_keys) for r in runs}


def compare(strategies: list[Strategy], cache, catalog: Catalog,
            ops: list[tuple[str, int]]) -> list[StrategyRun]:
    """``replay`` the same operations through each strategy, in order."""
    runs = []
    for strategy in strategies:
        with catalog.engine.connect() as conn:
            runs.append(replay(strategy, cache, conn, catalog, ops))
    return runs


def comparison_table(runs: list[StrategyRun]) -> str:
    """One Markdown row per strategy: hit ratio, read latency, stale reads, never-read entries,
    calls per write."""
    rows = [[r.label, f"{r.hit_ratio:.0%}", f"{r.read_ms.p50:.2f}", f"{r.read_ms.p99:.2f}",
             f"{r.stale_reads} ({r.stale_share:.1%})",
             f"{r.stock.never_read_keys} of {r.stock.keys} ({r.stock.never_read_share:.0%})",
             f"{r.stock.never_read_bytes / 1024:.0f} KiB of {r.stock.bytes / 1024:.0f} KiB",
             f"{r.calls_per_write:.1f}"] for r in runs]
    return tables.markdown(["strategy", "hit ratio", "read p50 (ms)", "read p99 (ms)", "stale reads",
                            "cached keys never read", "bytes never read", "calls per write"], rows,
                           align="lrrrrrrr")
