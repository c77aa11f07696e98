"""Does a failover lose writes the application was told were committed?

Several writers insert rows as fast as they can through the writer endpoint, each row with an
id the client made up, and remember every id whose COMMIT returned. Then the writer crashes;
once Patroni has promoted a replica, every remembered id is looked up on the new writer. An id
that was acknowledged but is missing there is a lost write: what asynchronous replication risks
and what quorum commit (Aurora's "4 of 6 copies before the acknowledgement", in miniature)
prevents. The same run measures what the wait costs: commit throughput and latency.
"""
from __future__ import annotations

import itertools
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from labkit import cluster, db, measure
from labkit.workers import Workers

MODES = ("async", "quorum")
CRASHES = ("postmaster", "whole node")
READ_ONLY = "25006"  # a node that is still (or again) a replica refuses the INSERT
BACKOFF = 0.1  # seconds a writer waits after an error before it reconnects (2 shared cores)
STOP_TIMEOUT = 30.0  # a writer blocked in a commit gets this long to finish after the stop


def _table(prefix: str) -> sa.Table:
    return sa.Table(f"{prefix}_writes", sa.MetaData(),
                    sa.Column("trial", sa.String(32), primary_key=True),
                    sa.Column("writer", sa.Integer, primary_key=True),
                    sa.Column("seq", sa.Integer, primary_key=True),
                    sa.Column("payload", sa.String(100)))


def create_table(engine: Engine, prefix: str) -> None:
    _table(prefix).create(engine, checkfirst=True)


def drop_table(engine: Engine, prefix: str) -> None:
    _table(prefix).drop(engine, checkfirst=True)


def error_kind(exc: sa.exc.DBAPIError) -> str:
    """How a writer's failure is tallied: 'read-only (25006)', 'connection' or 'SQLSTATE xxxxx'.

    Connection errors carry no SQLSTATE (the server vanished) or one of class 08 (connection
    exception) or 57 (operator intervention: the server is shutting down or crashed).
    """
    code = getattr(exc.orig, "sqlstate", None)
    if code == READ_ONLY:
        return "read-only (25006)"
    if exc.connection_invalidated or code is None or code[:2] in ("08", "57"):
        return "connection"
    return f"SQLSTATE {code}"


@dataclass
class Ack:
    """One acknowledged commit: which writer, its row number, when COMMIT returned, how long it took."""
    writer: int
    seq: int
    at: float
    seconds: float


class AckedWriters(Workers):
    """``threads`` writers, each on its own connection, committing one row per transaction.

    A row counts as acknowledged only when its COMMIT returned without error. A COMMIT that
    raised is "in doubt": the client cannot know whether the server kept it. Errors are tallied
    by kind and the writer reconnects; any other exception (a bug) stops it and is raised by
    ``__exit__``.
    """
    role = "writer"
    stop_timeout = STOP_TIMEOUT
    stuck_hint = "; see `./course status` for the cluster's state"

    def __init__(self, engine: Engine, prefix: str, trial: str, threads: int = 8):
        super().__init__(threads)
        self.engine, self.trial = engine, trial
        self.table = _table(prefix)
        self.acks: list[Ack] = []
        self.in_doubt: list[tuple[int, int]] = []
        self.errors: Counter[str] = Counter()

    def _commit_rows(self, writer: int, conn: sa.Connection, ids: Iterator[int]) -> None:
        insert = sa.insert(self.table)
        while not self.stopping.is_set():
            seq = next(ids)
            conn.execute(insert, {"trial": self.trial, "writer": writer, "seq": seq, "payload": "x" * 100})
            t0 = time.monotonic()
            try:
                conn.commit()
            except sa.exc.DBAPIError:
                with self.lock:
                    self.in_doubt.append((writer, seq))
                raise
            t1 = time.monotonic()
            with self.lock:
                self.acks.append(Ack(writer, seq, t1, t1 - t0))

    def work(self, writer: int) -> None:
        ids = itertools.count(1)  # an id is never reused, even after a COMMIT that raised
        while not self.stopping.is_set():
            try:
                with self.engine.connect() as conn:
                    self._commit_rows(writer, conn, ids)
            except sa.exc.DBAPIError as exc:
                with self.lock:
                    self.errors[error_kind(exc)] += 1
                self.stopping.wait(BACKOFF)

    def snapshot(self) -> list[Ack]:
        with self.lock:
            return list(self.acks)


@dataclass
class Trial(measure.Percentiles):
    """What one crash did to the acknowledged writes, and what the writes cost before it."""
    mode: str  # "async" or "quorum"
    crash: str  # "postmaster" or "whole node"
    old_writer: str
    new_writer: str
    failover_s: float  # from the crash until Patroni reported the new writer
    acknowledged: int  # commits acknowledged during the whole trial
    lost: int  # acknowledged, yet absent on the new writer
    in_doubt: int  # COMMITs that raised: the client cannot know their fate
    in_doubt_kept: int  # ... of which the new writer has the row
    throughput: float  # acknowledged commits per second before the crash
    latency_s: list[float] = field(repr=False)  # commit latencies before the crash
    errors: dict[str, int] = field(default_factory=dict)


def lost_writes(acknowledged: set[tuple[int, int]], present: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Ids the client was told were committed but the new writer does not have."""
    return acknowledged - present


def before(acks: list[Ack], started: float, crashed: float) -> tuple[float, list[float]]:
    """Throughput (commits/s) and commit latencies of the acknowledgements before the crash."""
    if crashed <= started:
        raise ValueError(f"the crash ({crashed}) must come after the start ({started})")
    latencies = [a.seconds for a in acks if a.at < crashed]
    return len(latencies) / (crashed - started), latencies


def _rows_on(node: str, prefix: str, trial: str, timeout: float = 30.0) -> set[tuple[int, int]]:
    """(writer, seq) of the trial's rows on ``node``, once it has finished its promotion (Patroni
    names the new writer a moment before PostgreSQL leaves recovery)."""
    table = _table(prefix)
    engine = db.engine(node, poolclass=sa.pool.NullPool)
    deadline = time.monotonic() + timeout
    with engine.connect() as conn:
        while db.identify(conn)["read_only"]:
            conn.rollback()
            if time.monotonic() > deadline:
                raise cluster.ClusterUnhealthy(f"{node} is still read-only {timeout:.0f} s after Patroni "
                                               f"named it the writer; cannot count lost writes")
            time.sleep(0.1)
        rows = conn.execute(sa.select(table.c.writer, table.c.seq).where(table.c.trial == trial))
        return {(w, s) for w, s in rows}


def wait_quorum_ready(timeout: float = 60.0) -> str:
    """Wait until the writer's quorum lists every reader, so a trial starts with both replicas
    able to acknowledge (right after a heal, Patroni may still list only one)."""
    deadline = time.monotonic() + timeout
    while True:
        names = cluster.synchronous_standby_names()
        readers = [m["name"] for m in cluster.topology() if m["role"] == "reader"]
        if names.startswith("ANY") and all(r in names for r in readers):
            return names
        if time.monotonic() > deadline:
            raise cluster.ClusterUnhealthy(f"quorum {names!r} does not list every reader {readers} "
                                           f"after {timeout:.0f} s")
        time.sleep(0.2)


def run_trial(mode: str, crash: str, prefix: str = "lab03", threads: int = 8,
              crash_after: float = 2.0) -> Trial:
    """Put the cluster in ``mode``, write for ``crash_after`` seconds, crash the writer, wait for the
    new one, count the lost writes, then heal, with commits asynchronous again (the baseline)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    if crash not in CRASHES:
        raise ValueError(f"crash must be one of {CRASHES}, not {crash!r}")
    cluster.wait_healthy()
    engine = db.engine("pg-writer", poolclass=sa.pool.NullPool)
    create_table(engine, prefix)
    trial = uuid.uuid4().hex
    try:
        with cluster.quorum_commit(mode == "quorum"):
            if mode == "quorum":
                wait_quorum_ready()
            with AckedWriters(engine, prefix, trial, threads) as writers:
                time.sleep(crash_after)
                old = cluster.crash_writer(whole_node=crash == "whole node")  # waits for a healthy cluster first
                crashed = time.monotonic()
                new, failover_s = cluster.wait_for_new_writer(old, timeout=90)
        acks = writers.snapshot()
        present = _rows_on(new, prefix, trial)
        throughput, latencies = before(acks, writers.started, crashed)
        return Trial(mode=mode, crash=crash, old_writer=old, new_writer=new, failover_s=failover_s,
                     acknowledged=len(acks), lost=len(lost_writes({(a.writer, a.seq) for a in acks}, present)),
                     in_doubt=len(writers.in_doubt), in_doubt_kept=len(set(writers.in_doubt) & present),
                     throughput=throughput, latency_s=latencies, errors=dict(writers.errors))
    finally:
        cluster.heal()  # the old writer rejoins as a replica, whatever happened above


def run_trials(crashes: list[str], modes: tuple[str, ...] = MODES, **kwargs) -> list[Trial]:
    """One trial per crash in ``crashes`` and mode in ``modes``, the modes taking turns so that a
    machine that slows down during the run slows both alike. The cluster is healed after each."""
    return [run_trial(mode, crash, **kwargs) for crash in crashes for mode in modes]
