"""Replica lag as a reader experiences it: the time from a commit acknowledged by the writer
until the row is visible on a replica.

Each sample inserts one row on the writer, then one thread per replica polls for it. Both ends
use this machine's monotonic clock, so no clock skew enters the figure. ``WriteLoad`` keeps the
writer busy in the background to show how lag grows with write load.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from labkit import poll

POLL_TIMEOUT = 10.0


def _tables(prefix: str) -> tuple[sa.MetaData, sa.Table, sa.Table]:
    meta = sa.MetaData()
    probe = sa.Table(f"{prefix}_probe", meta, sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                     sa.Column("note", sa.String(40)))
    load = sa.Table(f"{prefix}_load", meta, sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("payload", sa.String(200)))
    return meta, probe, load


def probe_table(prefix: str) -> sa.Table:
    """The lab's probe table (an id the database assigns, a short note), for the page's own queries."""
    return _tables(prefix)[1]


def reset_tables(writer: Engine, prefix: str) -> None:
    """Drop and recreate the lab's tables, so a lab can run twice."""
    drop_tables(writer, prefix)
    _tables(prefix)[0].create_all(writer)


def drop_tables(writer: Engine, prefix: str) -> None:
    _tables(prefix)[0].drop_all(writer)


def _wait_visible(replica: Engine, table: sa.Table, row_id: int, t_commit: float, out: dict, name: str) -> None:
    query = sa.select(table.c.id).where(table.c.id == row_id)
    with replica.connect() as conn:
        while time.monotonic() - t_commit < POLL_TIMEOUT:
            if conn.execute(query).first() is not None:
                out[name] = time.monotonic() - t_commit
                return
            conn.rollback()  # end the snapshot so the next poll sees new commits (MySQL REPEATABLE READ)
    out[name] = float("nan")


def sample(writer: Engine, replicas: dict[str, Engine], prefix: str, samples: int = 300,
           pause: float = 0.002) -> dict[str, list[float]]:
    """Measure visibility lag ``samples`` times; return seconds per replica (NaN = not seen in 10 s)."""
    _, probe, _ = _tables(prefix)
    result: dict[str, list[float]] = {name: [] for name in replicas}
    for engine in replicas.values():  # open pooled connections before timing anything
        with engine.connect() as conn:
            conn.execute(sa.select(sa.literal(1)))
    for _ in range(samples):
        with writer.begin() as conn:
            row_id = conn.execute(sa.insert(probe).values(note="lag")).inserted_primary_key[0]
        t_commit = time.monotonic()
        out: dict[str, float] = {}
        threads = [threading.Thread(target=_wait_visible, args=(e, probe, row_id, t_commit, out, n))
                   for n, e in replicas.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for name in replicas:
            result[name].append(out[name])
        time.sleep(pause)
    return result


class WriteLoad:
    """Background writers inserting batches into the lab's load table, as fast as they can."""

    def __init__(self, writer: Engine, prefix: str, threads: int = 4, batch: int = 200):
        self.writer, self.threads, self.batch = writer, threads, batch
        _, _, self.table = _tables(prefix)
        self.rows = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._workers: list[threading.Thread] = []
        self.errors: list[BaseException] = []

    def _run(self) -> None:
        rows = [{"payload": "x" * 200} for _ in range(self.batch)]
        try:
            while not self._stop.is_set():
                with self.writer.begin() as conn:
                    conn.execute(sa.insert(self.table), rows)
                with self._lock:
                    self.rows += self.batch
        except Exception as exc:  # surfaced by stop(), so a broken load cannot pass unnoticed
            self.errors.append(exc)

    def __enter__(self) -> "WriteLoad":
        self.t0 = time.monotonic()
        self._workers = [threading.Thread(target=self._run, daemon=True) for _ in range(self.threads)]
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join()
        self.seconds = time.monotonic() - self.t0
        if self.errors:
            raise RuntimeError(f"the write load failed: {self.errors[0]!r}") from self.errors[0]

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


@contextmanager
def nothing():
    """The idle counterpart of WriteLoad, so both conditions read the same in a notebook."""
    yield None


def read_your_write(writer: Engine, reader: Engine, write: Callable[[Connection], object],
                    read: Callable[[Connection, object], bool], trials: int = 200,
                    wait_for_replay: Callable[[Connection, Connection], None] | None = None) -> int:
    """Call ``write(writer_conn)`` (it commits and returns the new row's id) and at once
    ``read(reader_conn, id)`` (whether the row is there): return how often it was missing.

    ``wait_for_replay(writer_conn, reader_conn)``, when given, runs between the two: the fix that
    makes the reader wait until it has replayed the writer's commit (see ``catch_up``).
    """
    missing = 0
    with reader.connect() as rconn:
        for _ in range(trials):
            with writer.connect() as wconn:
                row_id = write(wconn)
                if wait_for_replay is not None:
                    wait_for_replay(wconn, rconn)
            missing += not read(rconn, row_id)
            rconn.rollback()  # end the snapshot, so the next read sees new commits (MySQL REPEATABLE READ)
    return missing


def catch_up(writer_conn, reader_conn, timeout: float = 30.0) -> None:
    """Make ``reader_conn`` wait until its server has replayed everything ``writer_conn`` committed.

    PostgreSQL: compare the writer's WAL position with the replica's replay position.
    MySQL family: the replica waits for the writer's position (``mysql_position_wait``).
    """
    if writer_conn.dialect.name == "postgresql":
        lsn = writer_conn.execute(sa.text("SELECT pg_current_wal_insert_lsn()")).scalar()

        def replayed() -> bool:
            done = reader_conn.execute(sa.text("SELECT pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)"),
                                       {"lsn": lsn}).scalar()
            reader_conn.rollback()  # end the snapshot, so the next ask sees the replica's progress
            return done

        poll.until(replayed, timeout, f"the replica to replay {lsn}", interval=0.0005)
    else:
        position, wait, params = mysql_position_wait(writer_conn)
        waited = reader_conn.execute(sa.text(wait), {**params, "timeout": timeout}).scalar()
        reader_conn.rollback()
        if waited != 0:
            raise TimeoutError(f"replica did not reach {position} within {timeout} s")


def mysql_position_wait(writer_conn) -> tuple[str, str, dict]:
    """The writer's last position (for a message), and the query and parameters a replica waits
    for it with (``:timeout`` still to give), which answer 0 once it is there: MariaDB's GTID and
    MASTER_GTID_WAIT; MySQL's executed GTID set and WAIT_FOR_EXECUTED_GTID_SET (MySQL 8.4 has no
    MASTER_GTID_WAIT); without GTIDs, the binary log file and offset and SOURCE_POS_WAIT (which
    answers the events it waited for, -1 on a timeout, NULL when the server replicates nothing)."""
    version = writer_conn.execute(sa.text("SELECT @@version")).scalar()
    if "MariaDB" in version:
        gtid = writer_conn.execute(sa.text("SELECT @@gtid_binlog_pos")).scalar()
        return f"GTID {gtid}", "SELECT MASTER_GTID_WAIT(:gtid, :timeout)", {"gtid": gtid}
    if writer_conn.execute(sa.text("SELECT @@GLOBAL.gtid_mode")).scalar() == "ON":
        gtids = writer_conn.execute(sa.text("SELECT @@GLOBAL.gtid_executed")).scalar().replace("\n", "")
        return f"GTID set {gtids}", "SELECT WAIT_FOR_EXECUTED_GTID_SET(:gtids, :timeout)", {"gtids": gtids}
    binlog, offset = writer_conn.exec_driver_sql("SHOW BINARY LOG STATUS").first()[:2]
    return (f"{binlog} at {offset}", "SELECT IF(SOURCE_POS_WAIT(:binlog, :offset, :timeout) >= 0, 0, 1)",
            {"binlog": binlog, "offset": offset})
