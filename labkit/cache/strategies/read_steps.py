"""Time each step of a cache-aside read, to show where a miss spends its time and what a hit saves.

A miss is three trips (a cache GET that finds nothing, the database query, a cache SET); a hit
is one GET. The steps are timed by wrapping the cache client and the catalogue that
``CacheAside`` calls, so the pattern under test runs unchanged against the real servers.
"""
from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.engine import Connection

from labkit.cache.patterns import CacheAside

GET, QUERY, SET = "cache GET", "database query", "cache SET"
STEPS = (GET, QUERY, SET)
DATABASE_ONLY, MISS, HIT = "no cache (database only)", "cache miss", "cache hit"
KINDS = (DATABASE_ONLY, MISS, HIT)


class Stopwatch:
    """Adds up the seconds spent in each named step of the read being timed."""

    def __init__(self):
        self.steps: dict[str, float] = {}

    def reset(self) -> None:
        self.steps = {}

    def time(self, step: str, call, *args, **kwargs):
        started = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            self.steps[step] = self.steps.get(step, 0.0) + time.perf_counter() - started


class TimedCache:
    """The cache client, with its GET and SET timed (other calls pass through untimed)."""

    def __init__(self, client, watch: Stopwatch):
        self.client, self.watch = client, watch

    def get(self, key):
        return self.watch.time(GET, self.client.get, key)

    def set(self, key, value, **options):
        return self.watch.time(SET, self.client.set, key, value, **options)

    def __getattr__(self, name):
        return getattr(self.client, name)


class TimedCatalog:
    """The catalogue, with its product page query timed."""

    def __init__(self, catalog, watch: Stopwatch):
        self.catalog, self.watch = catalog, watch

    def page(self, conn: Connection, product_id: int):
        return self.watch.time(QUERY, self.catalog.page, conn, product_id)

    def __getattr__(self, name):
        return getattr(self.catalog, name)


@dataclass(frozen=True)
class Read:
    kind: str                 # one of KINDS
    seconds: float            # the whole read, as the application waits for it
    steps: dict[str, float] = field(default_factory=dict)


def timed_copy(aside: CacheAside, watch: Stopwatch) -> CacheAside:
    """A CacheAside with the same cache, keys and TTL as ``aside`` whose every step ``watch`` times."""
    return CacheAside(TimedCache(aside.cache, watch), TimedCatalog(aside.catalog, watch), aside.prefix,
                      ttl=aside.ttl, ttl_jitter=aside.ttl_jitter, invalidation=aside.invalidation)


def _timed_read(watch: Stopwatch, read, kind_of) -> Read:
    watch.reset()
    started = time.perf_counter()
    read()
    seconds = time.perf_counter() - started
    return Read(kind_of(), seconds, dict(watch.steps))


def time_reads(aside: CacheAside, conn: Connection, product_ids: Iterable[int]) -> list[Read]:
    """Per product: a read straight from the database, then a cache-aside read after deleting the
    key (a miss), then the same read again (a hit). Taking the three in turn lets a busy machine
    slow all kinds alike. Each read's kind is what the cache really did, not what was intended."""
    watch = Stopwatch()
    timed = timed_copy(aside, watch)
    reads = []
    for product_id in product_ids:
        reads.append(_timed_read(watch, lambda: timed.catalog.page(conn, product_id), lambda: DATABASE_ONLY))
        aside.cache.delete(aside.key(product_id))
        for _ in range(2):
            hits = timed.calls["hits"]
            reads.append(_timed_read(watch, lambda: timed.get(conn, product_id),
                                     lambda: HIT if timed.calls["hits"] > hits else MISS))
    return reads


def series(reads: list[Read]) -> dict[str, list[float]]:
    """Seconds per kind of read, and per step of a miss, in the order a table shows them."""
    rows: dict[str, list[float]] = {kind: [r.seconds for r in reads if r.kind == kind] for kind in KINDS}
    misses = [r for r in reads if r.kind == MISS]
    for number, step in enumerate(STEPS, start=1):
        rows[f"miss step {number}: {step}"] = [r.steps.get(step, 0.0) for r in misses]
    return {label: seconds for label, seconds in rows.items() if seconds}


def median_steps(reads: list[Read], kind: str) -> dict[str, float]:
    """The median seconds of each step of the reads of ``kind`` (absent steps count as 0)."""
    chosen = [r for r in reads if r.kind == kind]
    if not chosen:
        raise ValueError(f"no read of kind {kind!r} among {len(reads)} reads")
    return {step: float(np.median([r.steps.get(step, 0.0) for r in chosen])) for step in STEPS}
