"""How many server connections a proxy needs when some clients are pinned.

A pinned client keeps its server connection until it disconnects, busy or idle; the others
borrow one per transaction. ``run`` starts ``clients`` clients, each with one connection of its
own that it keeps (as an application's pool does): the first ``pinned`` connect to the proxy's
session-mode pool (``pgbouncer.session_database``: one server connection per client, RDS Proxy's
pinning), the others to its transaction-mode pool. Each runs the lab's ``transaction(conn)`` in a
transaction, then thinks for ``think`` seconds, until the block ends. Meanwhile a sampler reads
``SHOW POOLS`` on the admin console and keeps the peak of server connections in use.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from labkit import tables
from labkit.proxy import admin
from labkit.workers import Workers

INTERVAL = 0.02  # seconds between two readings of SHOW POOLS
THINK = 0.02     # seconds a client waits between two transactions


@dataclass(frozen=True)
class Point:
    clients: int
    pinned: int
    transactions: int        # transactions the clients committed
    peak_servers: int        # most server connections in use at once, both pools together
    mean_servers: float      # server connections in use, on average over the readings

    @property
    def pinned_share(self) -> float:
        return self.pinned / self.clients


def modelled_servers(clients: int, pinned: int, busy: float) -> float:
    """MODEL: server connections needed on average when ``pinned`` of ``clients`` hold one each and
    the rest hold one only while in a transaction, a ``busy`` share of their time."""
    return pinned + (clients - pinned) * busy


class Clients(Workers):
    role = "client"

    def __init__(self, transaction: Callable[[psycopg.Connection], object], conninfos: list[str],
                 think: float = THINK):
        super().__init__(len(conninfos))
        self.transaction, self.conninfos, self.think = transaction, conninfos, think
        self.committed = 0

    def work(self, worker: int) -> None:
        with psycopg.connect(self.conninfos[worker], autocommit=True, prepare_threshold=None) as conn:
            while not self.stopping.is_set():
                with conn.transaction():
                    self.transaction(conn)
                with self.lock:
                    self.committed += 1
                self.stopping.wait(self.think)


class PoolSampler(Workers):
    """Reads how many server connections the proxy has in use (``sv_active``), in ``databases``."""
    role = "sampler"

    def __init__(self, databases: tuple[str, ...]):
        super().__init__(1)
        self.databases = databases
        self.readings: list[int] = []

    def work(self, worker: int) -> None:
        with admin.connect() as conn:
            while not self.stopping.is_set():
                rows = admin.show("POOLS", conn)
                self.readings.append(sum(r["sv_active"] for r in rows if r["database"] in self.databases))
                self.stopping.wait(INTERVAL)


def run(transaction: Callable[[psycopg.Connection], object], pooled: str, pinned_conninfo: str,
        databases: tuple[str, ...], clients: int, pinned: int, seconds: float) -> Point:
    """``clients`` clients for ``seconds``, the first ``pinned`` of them through ``pinned_conninfo``."""
    if not 0 <= pinned <= clients:
        raise ValueError(f"pinned must be between 0 and clients ({clients}), got {pinned}")
    with PoolSampler(databases) as sampler:
        with Clients(transaction, [pinned_conninfo] * pinned + [pooled] * (clients - pinned)) as running:
            time.sleep(seconds)
    readings = sampler.readings or [0]
    return Point(clients, pinned, running.committed, max(readings), sum(readings) / len(readings))


def table(points: list[Point], busy: float) -> str:
    """Markdown table: measured server connections and the model's, per share of pinned clients."""
    return tables.markdown(
        ["pinned clients", "of", "transactions", "server connections, peak", "server connections, mean",
         "MODEL: mean needed"],
        [[p.pinned, p.clients, p.transactions, p.peak_servers, f"{p.mean_servers:.1f}",
          f"{modelled_servers(p.clients, p.pinned, busy):.1f}"] for p in points], align="rrrrrr")
