"""What PostgreSQL itself tells an operator: the costliest statements and each replica's lag.

``pg_stat_statements`` (preloaded on every node) is the local counterpart of the per-SQL view of
Performance Insights / Database Insights; ``pg_stat_replication`` on the writer gives, per
replica, how far its WAL has been sent, written, flushed and replayed, the raw material behind
CloudWatch's replica-lag metrics. Statistics live in each node's memory: they describe the node
that is the writer now, and start empty after a restart.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from labkit import credentials, db, external, tables
from labkit.services.patroni import superuser_url, writer_session


@contextmanager
def _writer() -> Iterator[psycopg.Connection]:
    """The writer as superuser on the local cloud; over the course's login on a cluster labkit did
    not start (RDS's master user has pg_monitor, and may create and reset pg_stat_statements)."""
    if not external.is_external("pg-writer"):
        with writer_session() as conn:
            yield conn
        return
    raw = db.engine("pg-writer", poolclass=sa.pool.NullPool).raw_connection()
    try:
        raw.driver_connection.autocommit = True
        yield raw.driver_connection
    finally:
        raw.close()


def preloaded() -> bool:
    """Whether the writer loaded pg_stat_statements at its start (shared_preload_libraries): it
    counts statements only then, and Aurora PostgreSQL loads it by default."""
    with _writer() as conn:
        libraries = conn.execute("SHOW shared_preload_libraries").fetchone()[0]
    return "pg_stat_statements" in [name.strip() for name in libraries.split(",")]


def _in_course_database():
    """A session in the course's database, where the page's queries run and the extension lives:
    as superuser on the local cloud (the writer endpoint leads to the writer once the cluster is
    healthy), over the course's login on a cluster labkit did not start."""
    if external.is_external("pg-writer"):
        return _writer()
    return psycopg.connect(superuser_url(database=credentials.pg().database), autocommit=True)


def enable_statements() -> None:
    """Create the extension (superuser) in the course's database."""
    with _in_course_database() as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")


def reset_statements() -> None:
    """Forget every statement counted so far on the writer, so a workload starts from zero; the
    function exists only in a database where the extension was created."""
    with _in_course_database() as conn:
        conn.execute("SELECT pg_stat_statements_reset()")


def replication_status(expect: int = 0, timeout: float = 15.0) -> list[dict]:
    """One row per replica streaming from the writer: state, bytes not yet sent / written /
    flushed / replayed, and PostgreSQL's own write, flush and replay lag in milliseconds.

    With ``expect``, wait until that many replicas stream (after a switchover they reconnect to
    the new writer a moment after Patroni reports the cluster healthy)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = replication_rows()
        if sum(r["state"] == "streaming" for r in rows) >= expect or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)


def replication_rows() -> list[dict]:
    """On the writer, one row per replica from pg_stat_replication: how far behind it is."""
    with _writer() as conn:
        cur = conn.execute(
            "SELECT application_name, state, sync_state,"
            " pg_wal_lsn_diff(pg_current_wal_lsn(), sent_lsn),"
            " pg_wal_lsn_diff(pg_current_wal_lsn(), write_lsn),"
            " pg_wal_lsn_diff(pg_current_wal_lsn(), flush_lsn),"
            " pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn),"
            " 1000 * extract(epoch FROM write_lag), 1000 * extract(epoch FROM flush_lag),"
            " 1000 * extract(epoch FROM replay_lag)"
            " FROM pg_stat_replication ORDER BY application_name")
        keys = ("replica", "state", "sync_state", "unsent_bytes", "unwritten_bytes", "unflushed_bytes",
                "unreplayed_bytes", "write_lag_ms", "flush_lag_ms", "replay_lag_ms")
        return [dict(zip(keys, row[:3] + tuple(None if v is None else float(v) for v in row[3:])))
                for row in cur.fetchall()]


def markdown_table(rows: list, columns: dict[str, str], width: int = 70) -> str:
    """A Markdown table of ``rows`` (dicts, or rows with attributes) with ``columns`` (key ->
    heading); floats get 1 decimal, None shows as "-", long text is cut to ``width`` characters."""
    def field(row, key):
        return row.get(key) if isinstance(row, dict) else getattr(row, key)

    def cell(value):
        if isinstance(value, float):
            return f"{value:,.1f}"
        if isinstance(value, str) and len(value) > width:
            return value[:width - 1] + "…"
        return value
    return tables.markdown(list(columns.values()), [[cell(field(row, key)) for key in columns] for row in rows])


SLOW_QUERY = ("SELECT customer, count(*) FROM {table} WHERE note LIKE '%9%9%9%'"
              " GROUP BY customer ORDER BY count(*) DESC")


def load_orders(engine: Engine, table: str, rows: int = 50_000) -> None:
    """(Re)create ``table`` (id primary key, customer, note) with ``rows`` rows: nothing indexes
    ``note``, so a search on it reads the whole table."""
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        conn.execute(sa.text(f"CREATE TABLE {table} (id bigint PRIMARY KEY, customer int NOT NULL,"
                             f" note text NOT NULL)"))
        conn.execute(sa.text(f"INSERT INTO {table} SELECT g, g % 1000, md5(g::text)"
                             f" FROM generate_series(1, :n) AS g"), {"n": rows})
        conn.execute(sa.text(f"ANALYZE {table}"))


def run_workload(engine: Engine, table: str, lookups: int = 200, slow_runs: int = 3) -> None:
    """A small application: many primary-key lookups and small updates (fast), and a few runs of
    ``SLOW_QUERY``, a search no index can help."""
    with engine.begin() as conn:
        for i in range(lookups):
            conn.execute(sa.text(f"SELECT note FROM {table} WHERE id = :id"), {"id": 1 + i * 37})
            if i % 10 == 0:
                conn.execute(sa.text(f"UPDATE {table} SET customer = customer WHERE id = :id"), {"id": i + 1})
        for _ in range(slow_runs):
            conn.execute(sa.text(SLOW_QUERY.format(table=table))).all()
