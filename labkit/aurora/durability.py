"""Does a failover lose writes the application was told were committed?

Several writers run the lab's write function (an INSERT and a COMMIT, with the commit's wait
chosen per mode) as fast as they can through the writer endpoint, each row with an id the client
chose, and remember every id whose write returned. Then the writer crashes; once Patroni has
promoted a replica, the lab's ``missing`` function looks up the remembered ids on the new writer.
An id that was acknowledged but is missing there is a lost write: what asynchronous replication
risks and what quorum commit (Aurora's "4 of 6 copies before the acknowledgement", in miniature)
prevents. The same run measures what the wait costs: write throughput and latency.
"""
from __future__ import annotations

import itertools
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from labkit import cluster, db, measure, poll
from labkit.workers import Workers

CRASHES = ("postmaster", "whole node")
READ_ONLY = "25006"  # a node that is still (or again) a replica refuses the INSERT
BACKOFF = 0.1  # seconds a writer waits after an error before it reconnects (2 shared cores)
STOP_TIMEOUT = 30.0  # a writer blocked in a commit gets this long to finish after the stop

Write = Callable[[Connection, dict, str], None]  # (connection, row, the mode's setting): returns = acknowledged
Missing = Callable[[Connection, str, set], set]  # (connection, trial, ids): those the server does not have


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
    """One acknowledged write: which writer, its row number, when it returned, how long it took."""
    writer: int
    seq: int
    at: float
    seconds: float


class AckedWriters(Workers):
    """``threads`` writers, each on its own connection, calling ``write(conn, row, setting)`` for
    one row ``{"trial", "writer", "seq"}`` after another.

    A row counts as acknowledged only when ``write`` returned. A write that raised because the
    connection broke under it is "in doubt": the client cannot know whether the server committed
    it. Errors are tallied by kind and the writer reconnects; any other exception (a bug) stops it
    and is raised by ``__exit__``.
    """
    role = "writer"
    stop_timeout = STOP_TIMEOUT
    stuck_hint = "; see `./course status` for the cluster's state"

    def __init__(self, engine: Engine, write: Write, setting: str, trial: str, threads: int = 8):
        super().__init__(threads)
        self.engine, self.write, self.setting, self.trial = engine, write, setting, trial
        self.acks: list[Ack] = []
        self.in_doubt: list[tuple[int, int]] = []
        self.errors: Counter[str] = Counter()

    def _write_rows(self, writer: int, conn: Connection, ids: Iterator[int]) -> None:
        while not self.stopping.is_set():
            seq = next(ids)
            t0 = time.monotonic()
            try:
                self.write(conn, {"trial": self.trial, "writer": writer, "seq": seq}, self.setting)
            except sa.exc.DBAPIError as exc:
                if error_kind(exc) == "connection":
                    with self.lock:
                        self.in_doubt.append((writer, seq))
                raise
            t1 = time.monotonic()
            with self.lock:
                self.acks.append(Ack(writer, seq, t1, t1 - t0))

    def work(self, writer: int) -> None:
        ids = itertools.count(1)  # an id is never reused, even after a write that raised
        while not self.stopping.is_set():
            try:
                with self.engine.connect() as conn:
                    self._write_rows(writer, conn, ids)
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
    mode: str  # the page's name for the mode, e.g. "async" or "quorum"
    crash: str  # "postmaster" or "whole node"
    old_writer: str
    new_writer: str
    failover_s: float  # from the crash until Patroni reported the new writer
    acknowledged: int  # writes acknowledged during the whole trial
    lost: int  # acknowledged, yet absent on the new writer
    in_doubt: int  # writes that raised on a broken connection: the client cannot know their fate
    in_doubt_kept: int  # ... of which the new writer has the row
    throughput: float  # acknowledged writes per second before the crash
    latency_s: list[float] = field(repr=False)  # write latencies (INSERT + COMMIT) before the crash
    errors: dict[str, int] = field(default_factory=dict)


def before(acks: list[Ack], started: float, crashed: float) -> tuple[float, list[float]]:
    """Throughput (writes/s) and write latencies of the acknowledgements before the crash."""
    if crashed <= started:
        raise ValueError(f"the crash ({crashed}) must come after the start ({started})")
    latencies = [a.seconds for a in acks if a.at < crashed]
    return len(latencies) / (crashed - started), latencies


def promoted(node: str, timeout: float = 30.0) -> Connection:
    """A connection to ``node`` once it has finished its promotion (Patroni names the new writer a
    moment before PostgreSQL leaves recovery), so what it lacks is lost, not still on its way."""
    conn = db.engine(node, poolclass=sa.pool.NullPool).connect()

    def writable() -> bool:
        in_recovery = conn.execute(sa.text("SELECT pg_is_in_recovery()")).scalar()
        conn.rollback()
        return not in_recovery

    try:
        poll.until(writable, timeout, f"{node}, which Patroni named the writer, to leave recovery",
                   error=cluster.ClusterTimedOut, hint="it is still read-only: cannot count lost writes")
    except BaseException:
        conn.close()
        raise
    return conn


def wait_quorum_ready(timeout: float = 60.0) -> str:
    """Wait until the writer's quorum lists every reader, so a trial starts with both replicas
    able to acknowledge (right after a heal, Patroni may still list only one)."""
    def quorum() -> tuple[str, list[str]]:
        return cluster.synchronous_standby_names(), [m.name for m in cluster.topology() if m.role == "reader"]

    def lists_every_reader() -> str | None:
        names, readers = quorum()
        return names if names.startswith("ANY") and all(r in names for r in readers) else None

    return poll.until(lists_every_reader, timeout, "a quorum that lists every reader", interval=0.2,
                      error=cluster.ClusterTimedOut,
                      hint=lambda: "quorum {!r}, readers {}; quorum commit is switched on with "
                                   "`cluster.set_quorum_commit(True)`".format(*quorum()))


def run_trial(mode: str, setting: str, crash: str, write: Write, missing: Missing, threads: int = 8,
              crash_after: float = 2.0) -> Trial:
    """Write with ``write(conn, row, setting)`` for ``crash_after`` seconds, crash the writer, wait
    for the new one, count with ``missing`` the acknowledged rows it lacks, then heal."""
    if crash not in CRASHES:
        raise ValueError(f"crash must be one of {CRASHES}, not {crash!r}")
    cluster.wait_healthy()
    wait_quorum_ready()
    engine = db.engine("pg-writer", poolclass=sa.pool.NullPool)
    trial = uuid.uuid4().hex
    try:
        with AckedWriters(engine, write, setting, trial, threads) as writers:
            time.sleep(crash_after)
            old = cluster.crash_writer(whole_node=crash == "whole node")  # waits for a healthy cluster first
            crashed = time.monotonic()
            new, failover_s = cluster.wait_for_new_writer(old, timeout=90)
        acks = writers.snapshot()
        with promoted(new) as conn:
            lost = missing(conn, trial, {(a.writer, a.seq) for a in acks})
            in_doubt_missing = missing(conn, trial, set(writers.in_doubt))
        throughput, latencies = before(acks, writers.started, crashed)
        return Trial(mode=mode, crash=crash, old_writer=old, new_writer=new, failover_s=failover_s,
                     acknowledged=len(acks), lost=len(lost), in_doubt=len(writers.in_doubt),
                     in_doubt_kept=len(set(writers.in_doubt)) - len(in_doubt_missing),
                     throughput=throughput, latency_s=latencies, errors=dict(writers.errors))
    finally:
        cluster.heal()  # the old writer rejoins as a replica, whatever happened above


def run_trials(crashes: list[str], write: Write, modes: dict[str, str], missing: Missing,
               **kwargs) -> list[Trial]:
    """One trial per crash in ``crashes`` and mode in ``modes`` (its name: the setting ``write``
    gets), the modes taking turns so that a machine that slows down during the run slows both
    alike. Quorum commit must be on (``cluster.set_quorum_commit``); the cluster is healed after
    each trial."""
    if not modes:
        raise ValueError("modes is empty: give each mode's name and the setting write() gets, "
                         "e.g. {'async': 'local', 'quorum': 'on'}")
    return [run_trial(mode, setting, crash, write, missing, **kwargs)
            for crash in crashes for mode, setting in modes.items()]
