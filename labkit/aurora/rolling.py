"""Patching without downtime, done to the local cluster: a rolling restart through Patroni.

Aurora applies an engine patch by restarting instances; what an application notices depends on
how it reconnects. The page changes a setting that takes effect only at restart; this module
applies it by restarting the replicas one at a time, then handing the writer role to an already
restarted replica (a switchover restarts the old writer as a replica). ``ClientLoop`` runs the
page's read or write meanwhile and records every attempt, so the lab can count what failed and
when.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from labkit import cluster, db
from labkit.aurora.background import BackgroundLoop
from labkit.endpoints import PG_NODES

@dataclass(frozen=True)
class Attempt:
    """One operation as the application saw it: when, on which node, after how many tries."""
    start: float
    end: float
    ok: bool
    node: str | None
    tries: int
    error: str = ""


class ClientLoop(BackgroundLoop):
    """A background client that sends one request after another while a lab restarts servers.

    Each request is ``run(engine, operation)``: the page's own way to open a connection, run
    ``operation(conn)`` (which returns the name of the node that answered) and retry, or
    ``run_once`` without a retry. The loop times each request, counts the connections it opened
    (its tries) and records the error of a request that failed in the end.
    """

    def __init__(self, engine: Engine, operation: Callable[[Connection], str],
                 run: Callable[[Engine, Callable[[Connection], str]], str] | None = None,
                 pause: float = 0.01):
        super().__init__(engine)
        self.operation, self.run, self.pause = operation, run or run_once, pause
        self.attempts: list[Attempt] = []

    def _once(self) -> Attempt:
        counted, start = _CountedEngine(self.engine), time.monotonic()
        try:
            node = self.run(counted, self.operation)
        except sa.exc.DBAPIError as exc:
            error = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            return Attempt(start, time.monotonic(), False, None, counted.connects, error)
        return Attempt(start, time.monotonic(), True, node, counted.connects)

    def step(self) -> float:
        self.attempts.append(self._once())
        return self.pause

    def __enter__(self) -> "ClientLoop":
        self.t0 = time.monotonic()
        return super().__enter__()

    @property
    def failed(self) -> list[Attempt]:
        return [a for a in self.attempts if not a.ok]

    @property
    def retried(self) -> int:
        """Tries that failed but were hidden from the application by a later successful try."""
        return sum(a.tries - 1 for a in self.attempts if a.ok)


class _CountedEngine:
    """An engine that counts ``connect()`` calls: each is one try of a request."""

    def __init__(self, engine: Engine):
        self.engine, self.connects = engine, 0

    def connect(self) -> Connection:
        self.connects += 1
        return self.engine.connect()


def run_once(engine: Engine, operation: Callable[[Connection], str]) -> str:
    """One try, no retry: a new connection, the operation, a commit."""
    with engine.connect() as conn:
        node = operation(conn)
        conn.commit()
    return node


def fresh_engine(name: str) -> Engine:
    """An engine that opens a new connection for every ``connect()`` (no pool), so each read is
    balanced again by the endpoint and no connection to a restarted node is reused."""
    return db.engine(name, poolclass=sa.pool.NullPool)


def outage_windows(attempts: list[Attempt]) -> list[tuple[float, float]]:
    """(start, end) of each run of failed attempts: from the first failure's start to the end of
    the last failure before the next success (or of the last attempt)."""
    windows, current = [], None
    for a in sorted(attempts, key=lambda a: a.start):
        if not a.ok:
            current = (current[0] if current else a.start, a.end)
        elif current:
            windows.append(current)
            current = None
    if current:
        windows.append(current)
    return windows


def rate_per_node(attempts: list[Attempt], t0: float, bin_s: float = 0.5) -> dict[str, list[float]]:
    """Successful operations per second in bins of ``bin_s`` seconds after ``t0``, per node.

    Returns ``{"t": bin starts, node: rates...}``; failed attempts count under ``"failed"``.
    """
    if not attempts:
        return {"t": []}
    bins = int((max(a.end for a in attempts) - t0) // bin_s) + 1
    out: dict[str, list[float]] = {"t": [i * bin_s for i in range(bins)]}
    for a in attempts:
        key = a.node if a.ok else "failed"
        series = out.setdefault(key, [0.0] * bins)
        series[int((a.end - t0) // bin_s)] += 1 / bin_s
    return out


# --- Patroni, the "maintenance" side --------------------------------------------------------

def nodes() -> list[str]:
    return [f"pg-node{i}" for i in range(1, PG_NODES + 1)]


def start_times() -> dict[str, str]:
    """When each node's postmaster started: a restart changes it."""
    return {name: cluster.member(name).get("postmaster_start_time", "") for name in nodes()}


def in_reader_endpoint(name: str, tries: int = 8) -> bool:
    """True once fresh connections to the reader endpoint reach ``name`` again."""
    engine = fresh_engine("pg-reader")
    for _ in range(tries):
        try:
            with engine.connect() as conn:
                if db.identify(conn).node == name:
                    return True
        except sa.exc.DBAPIError:
            continue
    return False


def restart_replica(name: str, timeout: float = 60.0) -> None:
    """Take one replica out of the reader endpoint, restart it through Patroni, and put it back
    once it streams; wait until it serves reads again."""
    with cluster.drained(name, ("pg-reader",)):
        cluster.restart(name, timeout)
    cluster.wait_for(lambda: in_reader_endpoint(name), f"{name} back in the reader endpoint", timeout)


@dataclass
class RollingRestart:
    """What a rolling restart did: phases (start and end in seconds after ``t0``, label) and
    each node's postmaster start time before and after."""
    t0: float
    phases: list[tuple[float, float, str]] = field(default_factory=list)
    before: dict[str, str] = field(default_factory=dict)
    after: dict[str, str] = field(default_factory=dict)
    old_writer: str = ""
    new_writer: str = ""

    @contextmanager
    def phase(self, label: str):
        start = time.monotonic() - self.t0
        yield
        self.phases.append((start, time.monotonic() - self.t0, label))

    @property
    def restarted(self) -> dict[str, bool]:
        return {name: self.after.get(name) != self.before.get(name) for name in self.before}


def rolling_restart(t0: float | None = None, timeout: float = 60.0) -> RollingRestart:
    """Restart every replica in turn, switch the writer over to the first restarted replica, and
    restart the old writer too if the switchover did not (its start time unchanged)."""
    run = RollingRestart(time.monotonic() if t0 is None else t0, before=start_times())
    run.old_writer = cluster.writer() or ""
    replicas = [n for n in nodes() if n != run.old_writer]
    for name in replicas:
        with run.phase(f"restart {name}"):
            restart_replica(name, timeout)
    with run.phase(f"switchover to {replicas[0]}"):
        cluster.switchover(replicas[0], timeout)
    if cluster.member(run.old_writer).get("postmaster_start_time") == run.before[run.old_writer]:
        with run.phase(f"restart {run.old_writer}"):
            restart_replica(run.old_writer, timeout)
    run.new_writer = cluster.writer() or ""
    run.after = start_times()
    return run


def plot_rates(rates: dict[str, list[float]], phases: list[tuple[float, float, str]],
               title: str = "Reads per second through the reader endpoint"):
    """Stacked bars of operations per second per node (failures in red), with each phase of the
    rolling restart shaded and labelled."""
    import matplotlib.pyplot as plt

    t = rates["t"]
    width = t[1] - t[0] if len(t) > 1 else 0.5
    fig, ax = plt.subplots(figsize=(9, 4))
    bottom = [0.0] * len(t)
    for key in sorted(k for k in rates if k != "t"):
        color = "red" if key == "failed" else None
        ax.bar(t, rates[key], width=width, bottom=bottom, align="edge", label=key, color=color)
        bottom = [b + r for b, r in zip(bottom, rates[key])]
    top = max(bottom, default=1.0) * 1.35
    for i, (start, end, label) in enumerate(phases):
        ax.axvspan(start, end, color="grey", alpha=0.12 if i % 2 else 0.25, linewidth=0)
        ax.text((start + end) / 2, top * 0.98, label, fontsize=7, ha="center", va="top")
    ax.set_ylim(0, top)
    ax.set_xlabel("seconds since the client started")
    ax.set_ylabel("operations per second")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig
