"""Keep reading through cache-aside while the cache node dies and a new, empty one replaces it.

Lazy loading makes a cache node failure a slowdown, not an outage: every read the cache cannot
answer goes to the database. The read loop records each read's latency and where its answer came
from, stops the node partway (between two reads, so the moment is known exactly) and later
starts an empty one in its place, as ElastiCache replaces a failed node.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import redis
import sqlalchemy as sa

from labkit.cache import standalone
from labkit.cache.strategies.probe import Probe

HIT, MISS, CACHE_DOWN = "cache hit", "cache miss (database)", "cache down (database)"
SOURCES = (HIT, MISS, CACHE_DOWN)
PHASES = ("before", "during", "after")


class StandaloneNode:
    """A lone Redis node the loop may kill and replace (never the replicated pair)."""

    def __init__(self, name: str):
        self.name = name

    def stop(self) -> None:
        standalone.stop(self.name)

    def replace(self) -> None:
        standalone.start(self.name)


@dataclass(frozen=True)
class Reading:
    at: float                 # seconds since the loop started
    seconds: float            # how long the read took
    source: str | None        # one of SOURCES, None when the read failed
    error: str | None = None  # "ExceptionClass: message" of a failed read


@dataclass
class OutageRun:
    readings: list[Reading] = field(default_factory=list)
    stopped_at: float = float("nan")   # when the loop began to stop the node, seconds since the start
    replaced_at: float = float("nan")  # when the new, empty node answered

    @property
    def answered(self) -> int:
        return sum(r.source is not None for r in self.readings)

    @property
    def failed(self) -> int:
        return len(self.readings) - self.answered

    @property
    def cache_down_reads(self) -> int:
        """Reads the cache could not answer and the database did."""
        return sum(r.source == CACHE_DOWN for r in self.readings)

    def latencies(self, source: str, phase: str | None = None) -> list[float]:
        """Seconds of the reads answered from ``source``, optionally only in ``phase``
        (one of PHASES: before, during or after the outage)."""
        if phase is not None and phase not in PHASES:
            raise ValueError(f"phase must be one of {PHASES} (got {phase!r})")
        return [r.seconds for r in self.readings if r.source == source and (phase is None or self.phase(r) == phase)]

    def phase(self, reading: Reading) -> str:
        if reading.at < self.stopped_at:
            return "before"
        return "during" if reading.at < self.replaced_at else "after"


def _read(read: Callable, probe: Probe, key: int) -> tuple[str | None, str | None]:
    try:
        seen = probe.watch(read, probe.cache, probe.conn, key)
    except (redis.RedisError, sa.exc.SQLAlchemyError) as exc:
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    if seen.hit:
        return HIT, None
    return (CACHE_DOWN if seen.cache_failed else MISS), None


def run(read: Callable, cache, conn, keys, node, down: tuple[int, int]) -> OutageRun:
    """Read ``keys`` in order with ``read(cache, conn, id)``; stop ``node`` before read ``down[0]``
    and replace it before read ``down[1]``. A read that raises is recorded as failed and the loop goes on."""
    stop_before, replace_before = down
    if not 0 < stop_before < replace_before < len(keys):
        raise ValueError(f"down={down} must be two read numbers 0 < stop < replace < {len(keys)}")
    result = OutageRun()
    probe = Probe(cache, conn)
    started = time.perf_counter()
    for number, key in enumerate(keys):
        if number == stop_before:
            result.stopped_at = time.perf_counter() - started
            node.stop()
        elif number == replace_before:
            node.replace()
            result.replaced_at = time.perf_counter() - started
        t0 = time.perf_counter()
        source, error = _read(read, probe, int(key))
        result.readings.append(Reading(t0 - started, time.perf_counter() - t0, source, error))
    return result
