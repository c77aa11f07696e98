"""Time each step of a cache-aside read, to show where a miss spends its time and what a hit saves.

A miss is three trips (a cache GET that finds nothing, the database query, a cache SET); a hit
is one GET. The page's own read function runs unchanged on a ``Probe``'s client and connection,
which time each trip.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from labkit.cache.strategies.probe import GET, SET, SQL, Observed, Probe

QUERY = "database query"
STEPS = (GET, QUERY, SET)
DATABASE_ONLY, MISS, HIT = "no cache (database only)", "cache miss", "cache hit"
KINDS = (DATABASE_ONLY, MISS, HIT)


@dataclass(frozen=True)
class Read:
    kind: str                 # one of KINDS
    seconds: float            # the whole read, as the application waits for it
    steps: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Medians:
    """Median milliseconds of each kind of read and of each step of a miss."""

    database_only: float
    miss: float
    hit: float
    miss_get: float
    miss_query: float
    miss_set: float


def _read(kind: str, seen: Observed) -> Read:
    spent = {GET: seen.seconds_in(GET), QUERY: seen.seconds_in(SQL), SET: seen.seconds_in(SET)}
    return Read(kind, seen.seconds, {step: s for step, s in spent.items() if s})


def time_reads(read: Callable, query: Callable, key: Callable, cache, conn,
               product_ids: Iterable[int]) -> list[Read]:
    """Per product: ``query(conn, id)`` straight from the database, then ``read(cache, conn, id)``
    after deleting ``key(id)`` (a miss), then the same read again (a hit). Taking the three in turn
    lets a busy machine slow all kinds alike. Each read's kind is what the cache really did."""
    probe = Probe(cache, conn)
    reads = []
    for product_id in product_ids:
        reads.append(_read(DATABASE_ONLY, probe.watch(query, probe.conn, product_id)))
        cache.delete(key(product_id))
        for _ in range(2):
            seen = probe.watch(read, probe.cache, probe.conn, product_id)
            reads.append(_read(HIT if seen.hit else MISS, seen))
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


def medians_ms(reads: list[Read]) -> Medians:
    """The medians a page compares; every kind must be among ``reads``."""
    def of(kind: str) -> float:
        seconds = [r.seconds for r in reads if r.kind == kind]
        if not seconds:
            raise ValueError(f"no read of kind {kind!r} among {len(reads)} reads")
        return 1000 * float(np.median(seconds))

    miss = {step: 1000 * s for step, s in median_steps(reads, MISS).items()}
    return Medians(of(DATABASE_ONLY), of(MISS), of(HIT), miss[GET], miss[QUERY], miss[SET])
