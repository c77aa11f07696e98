"""Clients that keep their connection while the writer fails: what each one sees, per path.

Each client is an object like ``KeptConnection``, the application connection the lab shows:
``client.request()`` makes one request (and reconnects first when its connection is broken),
``client.reconnects`` counts the connections it had to open again. ``Clients`` calls every client's ``request`` every ``interval`` seconds in a
thread of its own and records each attempt. ``run_trial`` starts the clients of every path
(straight at the writer endpoint, through the proxy) at once, crashes the writer with the Aurora
part's tooling (``labkit.aurora.failover``), waits until every client has been served by the new
writer, stops them, heals the cluster and returns what each client saw.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from labkit import cluster, tables
from labkit.aurora import failover as aurora_failover
from labkit.aurora.outage import Attempt, describe
from labkit.workers import Workers

INTERVAL = 0.05     # seconds between two requests of one client
SERVED_AGAIN = 60.0  # seconds every client gets to be served, before the crash and by the new writer


@dataclass(frozen=True)
class ClientResult:
    path: str
    outage_s: float       # the longest time between two served requests around the failover
    failed: int           # requests that raised
    errors: list[str]     # distinct errors, in the order first seen
    reconnects: int       # connections the client had to open again


class KeptConnection:
    """One long-lived connection of an application, reopened only when broken."""

    def __init__(self, conninfo: str):
        self.conninfo, self.conn, self.reconnects = conninfo, None, 0

    def request(self) -> tuple:
        if self.conn is not None and self.conn.closed:  # broken by the last request
            self.conn, self.reconnects = None, self.reconnects + 1
        if self.conn is None:
            self.conn = psycopg.connect(self.conninfo, autocommit=True, prepare_threshold=None)
        return self.conn.execute("SELECT current_user, now()").fetchone()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


class Clients(Workers):
    """``with Clients(clients) as running:`` calls each client's ``request`` until the block ends."""
    role = "client"

    def __init__(self, clients: list, interval: float = INTERVAL):
        super().__init__(len(clients))
        self.clients, self.interval = clients, interval
        self.attempts: list[list[Attempt]] = [[] for _ in clients]

    def work(self, worker: int) -> None:
        client, attempts = self.clients[worker], self.attempts[worker]
        while not self.stopping.is_set():
            start = time.monotonic()
            try:
                client.request()
                attempts.append(Attempt(start, time.monotonic()))
            except psycopg.Error as exc:
                attempts.append(Attempt(start, time.monotonic(), error=describe(exc)))
            self.stopping.wait(max(0.0, self.interval - (time.monotonic() - start)))

    def served_since(self, moment: float) -> bool:
        """Whether every client has had a request served that started after ``moment``."""
        return all(any(a.ok and a.start > moment for a in list(mine)) for mine in self.attempts)


def longest_gap(attempts: list[Attempt]) -> float:
    """The longest time between the ends of two consecutive served requests (seconds)."""
    ends = [a.end for a in attempts if a.ok]
    return max((b - a for a, b in zip(ends, ends[1:])), default=float("nan"))


def result(path: str, client, attempts: list[Attempt]) -> ClientResult:
    failures = [a for a in attempts if not a.ok]
    return ClientResult(path, longest_gap(attempts), len(failures),
                        list(dict.fromkeys(a.error for a in failures)), client.reconnects)


def _wait_until_served(running: Clients, since: float) -> None:
    deadline = time.monotonic() + SERVED_AGAIN
    while not running.served_since(since):
        if time.monotonic() > deadline:
            raise cluster.ClusterUnhealthy(f"some clients were not served within {SERVED_AGAIN:.0f} s; "
                                           f"their last attempts: {[a[-1:] for a in running.attempts]}")
        time.sleep(INTERVAL)


def run_trial(make_client: Callable[[str], object], paths: dict[str, str], clients: int,
              cause: str = aurora_failover.POSTMASTER_CRASH, warm_up: float = 1.0) -> list[ClientResult]:
    """``clients`` clients per path (label: conninfo) through one failover by ``cause``; the
    cluster is healthy again when it returns."""
    cluster.wait_healthy()
    made = [(path, make_client(conninfo)) for path, conninfo in paths.items() for _ in range(clients)]
    try:
        with Clients([client for _, client in made]) as running:
            _wait_until_served(running, since=0.0)  # every client has a served request before the crash
            time.sleep(warm_up)
            crashed_at = time.monotonic()
            old = aurora_failover.cause_failover(cause)
            cluster.wait_for_new_writer(old)
            _wait_until_served(running, since=crashed_at)
            time.sleep(warm_up)  # and a little more, so every gap is closed by a served request
    finally:
        for _, client in made:
            client.close()
        aurora_failover.restore(cause)
    return [result(path, client, attempts) for (path, client), attempts in zip(made, running.attempts)]


def by_path(results: list[ClientResult]) -> dict[str, list[ClientResult]]:
    grouped: dict[str, list[ClientResult]] = {}
    for r in results:
        grouped.setdefault(r.path, []).append(r)
    return grouped


def summary_table(results: list[ClientResult]) -> str:
    """Markdown table, one row per path: the distribution over every client of every trial."""
    rows = []
    for path, mine in by_path(results).items():
        outages = sorted(r.outage_s for r in mine)
        errors = list(dict.fromkeys(e for r in mine for e in r.errors))
        rows.append([path, len(mine), f"{outages[len(outages) // 2]:.2f}", f"{outages[-1]:.2f}",
                     sum(r.failed > 0 for r in mine), sum(r.failed for r in mine),
                     sum(r.reconnects > 0 for r in mine), sum(r.reconnects for r in mine),
                     "; ".join(errors[:3]) or "none"])
    return tables.markdown(["path", "clients (all trials)", "outage median s", "outage max s",
                            "clients that saw an error", "failed requests", "clients that reconnected",
                            "reconnections", "errors seen"], rows, align="lrrrrrrrl")
