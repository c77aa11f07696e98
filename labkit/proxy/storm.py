"""A connection storm: clients that open a new connection for every request, as a function on
AWS Lambda does when it connects in its handler.

``Storm`` runs ``clients`` threads (spread over a few processes); each calls the lab's ``handler(conninfo)`` in a loop and
records how long every call took, or, when the call raised a driver error, which error. The
harness never opens a connection itself: what a request costs is what the lab's handler does.
``sweep`` runs it for a few seconds per number of clients and per path (straight at the writer
endpoint, through the proxy), with a ``server.Watch`` on the writer all along, and returns one
``Point`` per run.
"""
from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from psycopg.conninfo import conninfo_to_dict

from labkit import tables
from labkit.aurora.outage import describe
from labkit.measure import Percentiles
from labkit.proxy import server
from labkit.workers import Workers

BACKOFF = 0.05  # seconds a client waits after a refused request before its next one
PROCESSES = 4   # client processes a storm is spread over
# The clients yield the CPU to the servers, as if they ran on machines of their own; otherwise a
# couple of hundred client threads would starve the proxy, the database and the watch of it.
CLIENT_NICENESS = 10
SETTLE = 0.5    # seconds between two runs, for the last backends of the previous one to exit
# What PostgreSQL answers when every connection slot is taken (SQLSTATE 53300 at login).
REFUSALS = ("too many clients already", "remaining connection slots are reserved")


def is_refusal(error: str) -> bool:
    return any(words in error for words in REFUSALS)


@dataclass(frozen=True)
class Point(Percentiles):
    path: str
    clients: int
    seconds: float                      # from the first client's start to the last one's return
    latency_s: list[float]              # one per request that returned
    errors: dict[str, int]              # error description: requests that raised it
    use: server.ServerUse               # what the writer's processes spent meanwhile

    @property
    def requests(self) -> int:
        return len(self.latency_s)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def refused(self) -> int:
        return sum(n for error, n in self.errors.items() if is_refusal(error))

    @property
    def other_errors(self) -> int:
        return sum(self.errors.values()) - self.refused

    def per_thousand(self, spent: float) -> float:
        """``spent`` (over the whole watch) per 1,000 requests that returned."""
        return 1000 * spent / self.requests if self.requests else float("nan")


class Storm(Workers):
    """``with Storm(handler, conninfo, clients) as storm:`` runs the clients for the block."""
    role = "client"

    def __init__(self, handler: Callable[[str], object], conninfo: str, clients: int):
        super().__init__(clients)
        self.handler, self.conninfo = handler, conninfo
        self.done: list[tuple[float, float]] = []   # (returned at, seconds taken)
        self.errors: Counter[str] = Counter()

    def work(self, worker: int) -> None:
        while not self.stopping.is_set():
            t0 = time.monotonic()
            try:
                self.handler(self.conninfo)
            except psycopg.Error as exc:
                with self.lock:
                    self.errors[describe(exc)] += 1
                self.stopping.wait(BACKOFF)
                continue
            t1 = time.monotonic()
            with self.lock:
                self.done.append((t1, t1 - t0))


def _share(handler: Callable[[str], object], conninfo: str, clients: int, seconds: float, results) -> None:
    """One process's share of the clients for ``seconds`` (and the requests in flight then): when
    they started and stopped, the latencies of the requests that returned, and the errors."""
    os.nice(CLIENT_NICENESS)
    try:
        with Storm(handler, conninfo, clients) as storm:
            time.sleep(seconds)
        results.put((storm.started, storm.stopped, [s for _, s in storm.done], dict(storm.errors)))
    except Exception as exc:  # handed to the parent, which raises it
        results.put(exc)


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def check_local(conninfo: str) -> None:
    """A storm is load a server was not sized for: it is sent only to servers on this machine."""
    host = conninfo_to_dict(conninfo).get("host", "")
    if host not in LOOPBACK:
        raise ValueError(f"a connection storm goes only to servers on this machine, not to {host!r}: "
                         "unset LABKIT_PG_WRITER and LABKIT_PG_PROXY (or point them at 127.0.0.1) to run it")


def shares(clients: int, processes: int = PROCESSES) -> list[int]:
    """``clients`` spread as evenly as possible over at most ``processes`` processes."""
    used = min(clients, processes)
    return [clients // used + (i < clients % used) for i in range(used)]


def run(handler: Callable[[str], object], conninfo: str, clients: int, seconds: float, path: str,
        watch: Callable[[], server.Watch] = server.Watch) -> Point:
    """``clients`` clients calling ``handler(conninfo)`` for ``seconds``, the writer watched; the
    requests in flight then are waited for and counted.

    The clients run in a few processes forked from this one (so a handler the page defined runs
    there as it is): one Python process cannot run a couple of hundred clients at once, as its
    threads take turns on one interpreter lock."""
    check_local(conninfo)
    fork = multiprocessing.get_context("fork")
    results = fork.Queue()
    with watch() as watching:
        children = [fork.Process(target=_share, args=(handler, conninfo, n, seconds, results), daemon=True)
                    for n in shares(clients)]
        for child in children:
            child.start()
        got = [results.get(timeout=seconds + Storm.stop_timeout + 30) for _ in children]
        for child in children:
            child.join()
    failed = [g for g in got if isinstance(g, BaseException)]
    if failed:
        raise RuntimeError(f"a storm process failed: {failed[0]!r}") from failed[0]
    errors: Counter[str] = Counter()
    for *_, e in got:
        errors.update(e)
    elapsed = max(stopped for _, stopped, _, _ in got) - min(started for started, _, _, _ in got)
    return Point(path, clients, elapsed, [s for _, _, latencies, _ in got for s in latencies], dict(errors),
                 watching.use)


def sweep(handler: Callable[[str], object], paths: dict[str, str], clients: list[int], seconds: float,
          watch: Callable[[], server.Watch] = server.Watch) -> list[Point]:
    """One ``run`` per number of clients and per path (label: conninfo), smallest crowd first."""
    points = []
    for n in sorted(clients):
        for path, conninfo in paths.items():
            points.append(run(handler, conninfo, n, seconds, path, watch))
            time.sleep(SETTLE)
    return points


def _shown(value: float, digits: int = 0) -> str:
    """A figure for the table; "-" where it was not measured (NaN)."""
    return "-" if value != value else f"{value:.{digits}f}"


def table(points: list[Point]) -> str:
    """Markdown table: one row per run."""
    return tables.markdown(
        ["path", "clients", "requests/s", "p50 ms", "p99 ms", "refused", "other errors", "server backends (peak)",
         "server sessions started per 1,000 requests", "server CPU s per 1,000 requests",
         "proxy CPU s per 1,000 requests", "backend memory MB (peak)"],
        [[p.path, p.clients, f"{p.per_second:.0f}",
          *((f"{p.p50_ms:.0f}", f"{p.p99_ms:.0f}") if p.requests else ("-", "-")),
          p.refused, p.other_errors, p.use.peak_backends, _shown(p.per_thousand(p.use.sessions)),
          _shown(p.per_thousand(p.use.server_cpu_s), 2),
          _shown(p.per_thousand(p.use.proxy_cpu_s), 2), _shown(p.use.peak_backend_bytes / 2**20)] for p in points],
        align="lrrrrrrrrrrr")
