"""Read scaling as an application sees it: which replica each new connection reaches.

Aurora's reader endpoint (and HAProxy here) balances CONNECTIONS, not queries, so the experiments
open many short connections with the page's engine and run the page's read on each, which says
which node answered. ``time_until_served`` measures how soon a newly added reader takes its share.
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from labkit import status

Read = Callable[[Connection], str]  # read(conn): the name of the node that answered


def connection_spread(engine: Engine, read: Read, connections: int = 30) -> Counter:
    """Open ``connections`` connections with ``engine``, one after another, and run ``read`` on
    each; count the node each one reached. An engine without a pool opens a new connection each
    time; a pooled one hands out the connections it keeps. A connection the endpoint could not
    serve is counted under ``"refused"``.
    """
    if connections < 1:
        raise ValueError(f"connections must be at least 1, not {connections}")
    served: Counter = Counter()
    for _ in range(connections):
        try:
            with engine.connect() as conn:
                served[read(conn)] += 1
        except sa.exc.OperationalError:
            served["refused"] += 1
    return served


def time_until_served(node: str, engine: Engine, read: Read, timeout: float = 30.0,
                      since: float | None = None) -> float:
    """Open connections with ``engine`` until ``read`` says one reached ``node``; return the
    seconds waited.

    ``since`` is a ``time.monotonic()`` reading to count from (for example just before the node
    was added); by default, from the call.
    """
    start = time.monotonic() if since is None else since
    while not connection_spread(engine, read, connections=1).get(node):
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"no new connection reached {node} within {timeout:.0f} s; "
                               f"is it listed by cluster.topology() as streaming?")
        time.sleep(0.05)
    return time.monotonic() - start


def cluster_status() -> str:
    """The PostgreSQL cluster's part of ``./course status``: its endpoints and instances."""
    return status.table(status.pg_rows())
