"""The instances of a PostgreSQL cluster labkit did not start, as an ordinary client sees them.

The local cloud's cluster is described by Patroni. A reader's own cluster, docker compose's or an
Aurora cluster has no agent labkit may ask, so each instance endpoint the environment offers
(LABKIT_PG_NODE1, LABKIT_PG_NODE2, ...) is asked over the course's login whether it is in
recovery: the one that is not is the writer. Replica lag is not known from there (None).
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from labkit import db, external, poll
from labkit.endpoints import ENDPOINTS, ServiceUnavailable

ANCHOR = "pg-writer"


@dataclass(frozen=True)
class Node:
    """One instance of the cluster: its name, role (writer, reader or down), state as Patroni says
    it (running, streaming, stopped...) and how far behind it is in bytes (None when not known)."""
    name: str
    role: str
    state: str
    lag_bytes: int | None = None

    def __str__(self) -> str:
        return f"{self.name}: {self.role:<6} ({self.state})"


class NoInstances(ServiceUnavailable):
    """The environment names no instance endpoint of the external cluster."""


def names() -> list[str]:
    """The external cluster's instance endpoints (pg-node1, ...) the environment offers."""
    found = [n for n in external.provided(ANCHOR) if n.startswith("pg-node")]
    if not found:
        raise NoInstances(
            f"the PostgreSQL cluster at {external.describe(ANCHOR)} is not labkit's, and no instance "
            f"endpoint of it is given: set {ENDPOINTS['pg-node1'].env_var}, "
            f"{ENDPOINTS['pg-node2'].env_var}, ... to the address of its writer and of each replica")
    return found


def instance(name: str) -> Node:
    """One instance as topology() lists it, asked whether it is in recovery."""
    try:
        engine = db.engine(name, poolclass=sa.pool.NullPool)
    except ServiceUnavailable:
        return Node(name, "down", "stopped")
    try:
        with engine.connect() as conn:
            recovering, receiving = conn.execute(sa.text(
                "SELECT pg_is_in_recovery(), pg_last_wal_receive_lsn() IS NOT NULL")).one()
    except sa.exc.OperationalError:
        return Node(name, "down", "stopped")
    finally:
        engine.dispose()
    state = "streaming" if receiving else "running"
    return Node(name, "reader" if recovering else "writer", state)


def topology() -> list[Node]:
    return [instance(name) for name in names()]


def wait_healthy(timeout: float = 60.0) -> None:
    """Wait until the external cluster has one writer and every other instance answers as a
    reader. Its operator heals it: labkit only looks."""
    def settled(nodes: list[Node]) -> bool:
        return [m.role for m in nodes].count("writer") == 1 and all(m.role != "down" for m in nodes)

    poll.until(lambda: settled(topology()), timeout, f"the PostgreSQL cluster at {external.describe(ANCHOR)} "
               "to have one writer with every instance answering", interval=0.5, hint=lambda: str(topology()))
