"""The stage of a failover done by hand, to show what Patroni (and Aurora) automate.

Here: Patroni's maintenance mode, stopping the writer's PostgreSQL as a crash would, waiting for
its agent to give up the leader key, a superuser login for ``pg_promote()``, and the table of the
replicas' positions. The page's own SQL reads the positions, chooses the replica, promotes it and
asks whom the other replica streams from.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from labkit import accounts, binaries, cluster, poll, tables
from labkit.endpoints import PG_NODES, START_HINT
from labkit.services import BY_NAME
from labkit.services.base import http_json
from labkit.services.patroni import api_url, superuser_url


def pause(on: bool, timeout: float = 15.0) -> None:
    """Switch Patroni's maintenance mode on or off and wait until every running agent obeys."""
    cluster.patch_config({"pause": on})

    def obeyed() -> bool:
        answers = [http_json(api_url(i, "/patroni")) for i in range(1, PG_NODES + 1)]
        running = [(status, body) for i, (status, body) in enumerate(answers, start=1)
                   if BY_NAME[f"pg-node{i}"].running()]
        return all(status == 200 and bool(body.get("pause")) == on for status, body in running)

    poll.until(obeyed, timeout, f"the Patroni agents to {'enter' if on else 'leave'} maintenance mode",
               interval=0.2, error=cluster.ClusterTimedOut, hint=f"`{START_HINT}`")


def stop_postgres(node: str) -> None:
    """``pg_ctl stop -m immediate`` on ``node``: PostgreSQL dies at once, as in a crash."""
    pg_ctl = binaries.postgres_bin_dir() / "pg_ctl"
    done = subprocess.run([str(pg_ctl), "stop", "-m", "immediate", "-D", str(BY_NAME[node].data_dir)],
                          capture_output=True, text=True, **accounts.popen_kwargs())
    if done.returncode:
        raise RuntimeError(f"pg_ctl could not stop {node}: {done.stderr.strip() or done.stdout.strip()}")


def wait_key_released(node: str, timeout: float = 15.0) -> float:
    """Wait until ``node``'s agent gives up the leader key; return the seconds waited.

    Paused, Patroni still removes the key of a node whose PostgreSQL stopped, a moment after it
    notices. A replica promoted before that has forked from the key holder's timeline, and its own
    agent, paused or not, rewinds it back into a replica of the key holder.
    """
    return cluster.wait_for(
        lambda: not any(m.name == node and m.role == "writer" for m in cluster.topology()),
        f"{node}'s agent giving up the leader key", timeout)


@dataclass(frozen=True)
class Position:
    """How far one replica got: WAL received and replayed (LSN text, and bytes from the log's start)."""
    node: str
    received: str
    replayed: str
    received_bytes: int
    replayed_bytes: int


def bytes_behind(positions: list[Position]) -> dict[str, int]:
    """WAL bytes each replica lacks compared with the most advanced one."""
    best = max(p.received_bytes for p in positions)
    return {p.node: best - p.received_bytes for p in positions}


def superuser(node: str) -> Engine:
    """An engine that logs in to ``node`` as the cluster's superuser, one connection per use, in
    autocommit: ``pg_promote()`` is granted to nobody else."""
    return sa.create_engine("postgresql+psycopg://", poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT",
                            creator=lambda: psycopg.connect(superuser_url(node)))


def positions_table(positions: list[Position]) -> str:
    """Markdown table of the replicas' positions, with each replica's shortfall."""
    behind = bytes_behind(positions)
    return tables.markdown(["replica", "received up to", "replayed up to", "bytes behind the most advanced"],
                           [[p.node, p.received, p.replayed, f"{behind[p.node]:,}"] for p in positions],
                           align="lllr")
