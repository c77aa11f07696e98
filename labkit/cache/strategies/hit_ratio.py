"""Replay a stream of product reads through cache-aside and follow the hit ratio as it warms up.

The notes' test of whether caching pays: "few keys are frequently needed" (a Zipf stream) versus
the anti-patterns, a large key space all needed alike (uniform) and data changing rapidly
(a price write, which invalidates the cached page, before some of the reads).
"""
from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
from sqlalchemy.engine import Connection

from labkit.cache import keyspace
from labkit.cache.patterns import CacheAside


@dataclass(frozen=True)
class Traffic:
    keys: np.ndarray          # product ids, in the order they are read
    write_share: float = 0.0  # probability that a read is preceded by a price write to its key

    def __post_init__(self):
        if not 0 <= self.write_share <= 1:
            raise ValueError(f"write_share is a probability in [0, 1] (got {self.write_share})")


def replay(aside: CacheAside, conn: Connection, traffic: Traffic, seed: int = 7) -> list[bool]:
    """Read every key of ``traffic`` through ``aside``; return, per read, whether it was a hit."""
    rng = random.Random(seed)
    hits = []
    for key in traffic.keys.tolist():
        if traffic.write_share and rng.random() < traffic.write_share:
            aside.set_price(conn, key, rng.randint(500, 9999) / 100)
        before = aside.calls["hits"]
        aside.get(conn, key)
        hits.append(aside.calls["hits"] > before)
    return hits


@dataclass(frozen=True)
class Replay:
    hits: list[bool]  # per read, in order: was it a hit
    cached: int       # keys under the prefix once the replay ended: what the cache holds


def compare(aside: CacheAside, conn: Connection, scenarios: dict[str, Traffic]) -> dict[str, Replay]:
    """Replay each scenario on an empty cache (its keys under ``aside.prefix`` cleared first)."""
    results = {}
    for name, traffic in scenarios.items():
        keyspace.clear(aside.cache, aside.prefix)
        hits = replay(aside, conn, traffic)
        results[name] = Replay(hits, keyspace.count(aside.cache, aside.prefix))
    return results


def windowed(hits: list[bool], window: int) -> tuple[np.ndarray, np.ndarray]:
    """Hit ratio in each full window of ``window`` reads: (reads done at the window's end, ratio)."""
    if window < 1:
        raise ValueError(f"window must be at least one read (got {window})")
    full = len(hits) // window
    if full == 0:
        raise ValueError(f"{len(hits)} reads do not fill one window of {window}")
    ratios = np.asarray(hits[:full * window], dtype=float).reshape(full, window).mean(axis=1)
    return np.arange(1, full + 1) * window, ratios


def overall(hits: list[bool]) -> float:
    """Hits over all reads."""
    if not hits:
        raise ValueError("no reads: no hit ratio")
    return sum(hits) / len(hits)
