"""Replay a stream of product reads through cache-aside and follow the hit ratio as it warms up.

The notes' test of whether caching pays: "few keys are frequently needed" (a Zipf stream) versus
the anti-patterns, a large key space all needed alike (uniform) and data changing rapidly
(a price write, which invalidates the cached page, before some of the reads). The page's own
read and write functions run the replay.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from typing import Callable

import numpy as np

from labkit.cache import keyspace
from labkit.cache.strategies.probe import Probe


@dataclass(frozen=True)
class Traffic:
    keys: np.ndarray          # product ids, in the order they are read
    write_share: float = 0.0  # probability that a read is preceded by a price write to its key

    def __post_init__(self):
        if not 0 <= self.write_share <= 1:
            raise ValueError(f"write_share is a probability in [0, 1] (got {self.write_share})")


def replay(read: Callable, write: Callable, cache, conn, traffic: Traffic, seed: int = 7) -> list[bool]:
    """Read every key of ``traffic`` with ``read(cache, conn, id)``, after a price change
    ``write(cache, conn, id, price)`` where the traffic asks for one; return, per read, whether the
    cache answered it."""
    rng = random.Random(seed)
    probe = Probe(cache, conn)
    hits = []
    for key in traffic.keys.tolist():
        if traffic.write_share and rng.random() < traffic.write_share:
            write(cache, conn, key, rng.randint(500, 9999) / 100)
        hits.append(probe.watch(read, probe.cache, probe.conn, key).hit)
    return hits


@dataclass(frozen=True)
class Replay:
    hits: list[bool]  # per read, in order: was it a hit
    cached: int       # keys under the prefix once the replay ended: what the cache holds


def compare(read: Callable, write: Callable, cache, conn, prefix: str,
            scenarios: dict[str, Traffic]) -> dict[str, Replay]:
    """Replay each scenario on an empty cache (the keys under ``prefix`` cleared first)."""
    results = {}
    for name, traffic in scenarios.items():
        keyspace.clear(cache, prefix)
        hits = replay(read, write, cache, conn, traffic)
        results[name] = Replay(hits, keyspace.count(cache, prefix))
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
