"""Replica lag over time, as the writer reports it, while a lab switches a write load on and off.

Every ~100 ms a background thread runs the page's query on the writer (``pg_stat_replication``):
for each replica, how many bytes of WAL it has not replayed yet, and ``replay_lag``, the time
between the writer flushing WAL and the replica reporting it applied. (Lab 1 measures the other
view: the time until a committed row is visible to a reader.)
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy.engine import Connection, Engine

from labkit.aurora import lag

# read_lag(conn) on the writer: one (replica, bytes not replayed, replay lag in seconds) per replica
ReadLag = Callable[[Connection], Iterable[tuple[str, int, float]]]


@dataclass
class Timeline:
    """What ``record`` saw: one row per replica per tick, and when each phase ran."""
    interval: float
    ticks: list[float] = field(default_factory=list)  # seconds since the start, one per reading
    rows: list[tuple[float, str, int, float]] = field(default_factory=list)  # t, replica, bytes, s
    phases: list[tuple[str, float, float]] = field(default_factory=list)  # label, start, end
    load_rows_per_second: float = 0.0

    def replicas(self) -> list[str]:
        return sorted({replica for _, replica, _, _ in self.rows})

    def series(self, replica: str) -> tuple[list[float], list[int], list[float]]:
        """Times (s), bytes behind and replay lag (ms) of one replica."""
        mine = [r for r in self.rows if r[1] == replica]
        return [r[0] for r in mine], [r[2] for r in mine], [r[3] * 1000 for r in mine]

    def readings_per_replica(self) -> dict[str, int]:
        return {name: len(self.series(name)[0]) for name in self.replicas()}

    def peak(self, phase: str) -> dict[str, tuple[int, float]]:
        """Largest (bytes behind, replay lag ms) per replica during the phase called ``phase``."""
        spans = [(start, end) for label, start, end in self.phases if label == phase]
        if not spans:
            raise KeyError(f"no phase called {phase!r}; phases: {[p[0] for p in self.phases]}")
        inside = [r for r in self.rows if any(s <= r[0] <= e for s, e in spans)]
        return {name: (max((r[2] for r in inside if r[1] == name), default=0),
                       max((r[3] * 1000 for r in inside if r[1] == name), default=0.0))
                for name in self.replicas()}


class _Sampler(threading.Thread):
    def __init__(self, writer: Engine, read_lag: ReadLag, timeline: Timeline, t0: float):
        super().__init__(daemon=True)
        self.writer, self.read_lag, self.timeline, self.t0 = writer, read_lag, timeline, t0
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with self.writer.connect() as conn:
                next_tick = time.monotonic()
                while not self.stop.is_set():
                    now = time.monotonic() - self.t0
                    for name, behind, seconds in self.read_lag(conn):
                        self.timeline.rows.append((now, name, int(behind or 0), float(seconds or 0)))
                    conn.rollback()
                    self.timeline.ticks.append(now)
                    next_tick += self.timeline.interval
                    self.stop.wait(max(0.0, next_tick - time.monotonic()))
        except Exception as exc:  # re-raised by record(), so a broken sampler cannot pass unnoticed
            self.error = exc


def _open_connections(engine: Engine, count: int) -> None:
    """Fill the engine's pool with ``count`` connections, so a phase does not begin with logins."""
    opened = [engine.connect() for _ in range(count)]
    for conn in opened:
        conn.close()


def record(writer: Engine, prefix: str, phases: list[tuple[str, float]], read_lag: ReadLag,
           load_phase: str = "write load", interval: float = 0.1, threads: int = 4) -> Timeline:
    """Run ``read_lag(conn)`` on the writer every ``interval`` s through ``phases`` (label,
    seconds), running ``lag.WriteLoad(writer, prefix, threads)`` during the phase labelled
    ``load_phase``. A NULL (nothing measured) is recorded as 0.

    The lab's tables (``prefix``) must exist (``lag.reset_tables``). ``writer`` needs the
    ``pg_monitor`` role to see the replicas' positions.
    """
    if not any(label == load_phase for label, _ in phases):
        raise ValueError(f"no phase is labelled {load_phase!r}: {phases}")
    _open_connections(writer, threads + 1)  # the load's threads and the sampler
    timeline = Timeline(interval)
    t0 = time.monotonic()
    sampler = _Sampler(writer, read_lag, timeline, t0)
    sampler.start()
    try:
        for label, seconds in phases:
            start = time.monotonic() - t0
            if label == load_phase:
                with lag.WriteLoad(writer, prefix, threads) as load:
                    time.sleep(seconds)
                timeline.load_rows_per_second = load.rows_per_second
            else:
                time.sleep(seconds)
            timeline.phases.append((label, start, time.monotonic() - t0))
    finally:
        sampler.stop.set()
        sampler.join()
    if sampler.error is not None:
        raise RuntimeError(f"sampling pg_stat_replication failed: {sampler.error!r}") from sampler.error
    return timeline
