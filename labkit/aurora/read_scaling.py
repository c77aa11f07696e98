"""Read scaling as an application sees it: which replica each new connection reaches.

Aurora's reader endpoint (and HAProxy here) balances CONNECTIONS, not queries, so the experiments
open many short connections and ask each one which node answered. ``time_until_served`` measures
how soon a newly added reader takes its share; ``custom_endpoint`` imitates an Aurora custom
endpoint (a named subset of instances) with a client-side round-robin over instance endpoints.
"""
from __future__ import annotations

import itertools
import time
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from labkit import db, status
from labkit.endpoints import ENDPOINTS


def _fresh_engine(endpoint: str | Engine) -> Engine:
    """An engine that opens a new connection on every ``connect()`` (no pool)."""
    if isinstance(endpoint, Engine):
        return endpoint
    return db.engine(endpoint, poolclass=sa.pool.NullPool)


def connection_spread(endpoint: str | Engine = "pg-reader", connections: int = 30) -> Counter:
    """Open ``connections`` short connections one after another; count the node each one reached.

    ``endpoint`` is an endpoint name or an engine (for example a ``custom_endpoint``). A
    connection the endpoint could not serve is counted under ``"refused"``.
    """
    if connections < 1:
        raise ValueError(f"connections must be at least 1, not {connections}")
    engine = _fresh_engine(endpoint)
    served: Counter = Counter()
    for _ in range(connections):
        try:
            with engine.connect() as conn:
                served[db.identify(conn)["node"]] += 1
        except sa.exc.OperationalError:
            served["refused"] += 1
    return served


def time_until_served(node: str, endpoint: str = "pg-reader", timeout: float = 30.0,
                      since: float | None = None) -> float:
    """Open connections to ``endpoint`` until one reaches ``node``; return the seconds waited.

    ``since`` is a ``time.monotonic()`` reading to count from (for example just before the node
    was added); by default, from the call.
    """
    start = time.monotonic() if since is None else since
    engine = _fresh_engine(endpoint)
    while not connection_spread(engine, connections=1).get(node):
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"no connection to {endpoint} reached {node} within {timeout:.0f} s; "
                               f"is it listed by cluster.topology() as streaming?")
        time.sleep(0.05)
    return time.monotonic() - start


def custom_endpoint(instances: list[str]) -> Engine:
    """An illustration of an Aurora custom endpoint: an engine whose new connections go
    round-robin to the given instance endpoints (``pg-node1`` ...).

    Aurora does this in DNS, on its side; here the client picks the instance. Each connection is
    opened like ``db.engine(instance)`` (same login and TLS checks), with host and port swapped.
    """
    if not instances:
        raise ValueError("a custom endpoint needs at least one instance, e.g. ['pg-node2']")
    unknown = [n for n in instances if not (n.startswith("pg-node") and n in ENDPOINTS)]
    if unknown:
        raise ValueError(f"{unknown} are not PostgreSQL instance endpoints; use names like 'pg-node2'")
    for name in instances:
        ENDPOINTS[name].check()
    engine = db.engine(instances[0], poolclass=sa.pool.NullPool)
    turn = itertools.cycle(instances)

    @sa.event.listens_for(engine, "do_connect")
    def _next_instance(dialect, conn_rec, cargs, cparams):
        cparams["host"], cparams["port"] = ENDPOINTS[next(turn)].address

    return engine


def cluster_status() -> str:
    """The PostgreSQL cluster's part of ``./course status``: its endpoints and instances."""
    return status.table(status.pg_rows())
