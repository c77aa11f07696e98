"""A failover done by hand, step by step, to show what Patroni (and Aurora) automate.

With Patroni paused (maintenance mode: it watches but changes nothing on its own), the lab stops
the writer's PostgreSQL, reads how much WAL each replica received and replayed, promotes the
most advanced one with ``pg_promote()`` and resumes Patroni, which repoints the other replica
and rewinds the old writer.
"""
from __future__ import annotations

import subprocess
import time

import psycopg
import sqlalchemy as sa

from labkit import accounts, binaries, cluster, db, tables
from labkit.endpoints import ENDPOINTS, PG_NODES, START_HINT
from labkit.services import BY_NAME
from labkit.services.base import http_json
from labkit.services.patroni import api_url, superuser_url


def _session(node: str) -> psycopg.Connection:
    return psycopg.connect(superuser_url(node), autocommit=True)


def pause(on: bool, timeout: float = 15.0) -> None:
    """Switch Patroni's maintenance mode on or off and wait until every running agent obeys."""
    cluster.patch_config({"pause": on})
    deadline = time.monotonic() + timeout
    while True:
        answers = [http_json(api_url(i, "/patroni")) for i in range(1, PG_NODES + 1)]
        running = [(status, body) for i, (status, body) in enumerate(answers, start=1)
                   if BY_NAME[f"pg-node{i}"].running()]
        if all(status == 200 and bool(body.get("pause")) == on for status, body in running):
            return
        if time.monotonic() > deadline:
            raise cluster.ClusterUnhealthy(f"Patroni agents did not {'enter' if on else 'leave'} "
                                           f"maintenance mode in {timeout:.0f} s; `{START_HINT}`")
        time.sleep(0.2)


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
        lambda: not any(m["name"] == node and m["role"] == "writer" for m in cluster.topology()),
        f"{node}'s agent giving up the leader key", timeout)


def wal_positions(nodes: list[str]) -> list[dict]:
    """Per replica: WAL received and replayed (LSN text and bytes from the start of the log)."""
    query = ("SELECT pg_last_wal_receive_lsn()::text, pg_last_wal_replay_lsn()::text,"
             " pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '0/0')::bigint,"
             " pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint")
    rows = []
    for node in nodes:  # over the course's login, as any client may ask (a cluster of its own too)
        with db.engine(node, poolclass=sa.pool.NullPool).connect() as conn:
            received, replayed, received_bytes, replayed_bytes = conn.exec_driver_sql(query).one()
        rows.append({"node": node, "received": received, "replayed": replayed,
                     "received_bytes": received_bytes, "replayed_bytes": replayed_bytes})
    return rows


def most_advanced(positions: list[dict]) -> str:
    """The replica that received the most WAL: promoting any other would drop the difference.

    Replayed WAL is not the criterion: a promoted replica first replays all it has received.
    """
    if not positions:
        raise ValueError("no replica positions to choose from")
    return max(positions, key=lambda p: p["received_bytes"])["node"]


def bytes_behind(positions: list[dict]) -> dict[str, int]:
    """WAL bytes each replica lacks compared with the most advanced one."""
    best = max(p["received_bytes"] for p in positions)
    return {p["node"]: best - p["received_bytes"] for p in positions}


def promote(node: str) -> None:
    """``SELECT pg_promote()``: end recovery on ``node``; it becomes a writer on a new timeline."""
    with _session(node) as conn:
        if not conn.execute("SELECT pg_promote(wait => true, wait_seconds => 30)").fetchone()[0]:
            raise RuntimeError(f"{node} did not finish promotion within 30 s")


def in_recovery(node: str) -> bool:
    """True while ``node`` is a replica (replaying WAL), False once it accepts writes."""
    with _session(node) as conn:
        return conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]


def upstream(node: str) -> str | None:
    """The node ``node`` streams WAL from, or None when its WAL receiver is not connected."""
    with _session(node) as conn:
        row = conn.execute("SELECT sender_port FROM pg_stat_wal_receiver WHERE status = 'streaming'"
                           ).fetchone()
    if row is None:
        return None
    return next((e.name for e in ENDPOINTS.values() if e.name.startswith("pg-node")
                 and e.bound_port == row[0]), f"port {row[0]}")


def positions_table(positions: list[dict]) -> str:
    """Markdown table of wal_positions, with each replica's shortfall."""
    behind = bytes_behind(positions)
    return tables.markdown(["replica", "received up to", "replayed up to", "bytes behind the most advanced"],
                           [[p["node"], p["received"], p["replayed"], f"{behind[p['node']]:,}"] for p in positions],
                           align="lllr")
