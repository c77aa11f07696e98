"""An application that writes through failovers: every write idempotent, every write retried.

It runs beside the outage probe in each failover trial. Each operation inserts a row whose id the
client chose (so a write retried after an ambiguous failure lands once), through a pooled
engine with pre-ping, wrapped in ``retry.retrying``. The tally says what the application saw:
operations, those that failed anyway, the retries made behind its back, the slowest operation.
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from labkit import poll
from labkit.aurora import outage, retry
from labkit.aurora.background import BackgroundLoop


def orders_table(prefix: str) -> sa.Table:
    return sa.Table(f"{prefix}_orders", sa.MetaData(), sa.Column("id", sa.Uuid, primary_key=True))


@dataclass(frozen=True)
class Tally:
    operations: int     # writes the application asked for
    failed: int         # writes that raised to the application despite the retries
    retries: int        # retries the helper made behind its back
    longest: float      # seconds, the slowest operation (the one that waited out the failover)
    errors: list[str]   # distinct errors the helper retried, in the order first seen


class RetryingApp(BackgroundLoop):
    """Background loop of idempotent writes; use as a context manager, then read ``tally``."""

    def __init__(self, table: sa.Table, deadline: float = 60.0):
        super().__init__(retry.resilient_engine())
        self.table, self.deadline = table, deadline
        self._counts = {"operations": 0, "failed": 0, "retries": 0, "longest": 0.0}
        self._errors: dict[str, None] = {}
        self._acknowledged: list[uuid.UUID] = []

    def _write(self, op_id: uuid.UUID) -> None:
        with self.engine.begin() as conn:
            conn.execute(postgresql.insert(self.table).values(id=op_id).on_conflict_do_nothing())

    def step(self) -> float:
        counts = self._counts
        op_id, t0 = uuid.uuid4(), time.monotonic()
        counts["operations"] += 1
        try:
            counts["retries"] += retry.retrying(
                lambda: self._write(op_id), deadline=self.deadline,
                on_retry=lambda exc: self._errors.setdefault(outage.describe(exc))).retries
            self._acknowledged.append(op_id)
        except sa.exc.DBAPIError:
            counts["failed"] += 1
        counts["longest"] = max(counts["longest"], time.monotonic() - t0)
        return outage.INTERVAL

    @property
    def tally(self) -> Tally:
        return Tally(**self._counts, errors=list(self._errors))

    def wait_for_writes(self, count: int, timeout: float = 90.0) -> None:
        """Block until ``count`` more writes have been acknowledged than when called."""
        target = len(self._acknowledged) + count
        poll.until(lambda: len(self._acknowledged) >= target, timeout,
                   f"the application to get {count} more writes acknowledged", interval=outage.INTERVAL,
                   hint=lambda: f"tally so far: {self.tally}")

    def missing(self) -> int:
        """How many acknowledged writes the writer does not have (after a crash, with
        asynchronous replication, the last ones may never have reached the promoted replica)."""
        engine = retry.resilient_engine()
        with engine.connect() as conn:
            found = conn.execute(sa.select(sa.func.count()).select_from(self.table)
                                 .where(self.table.c.id.in_(self._acknowledged))).scalar_one()
        engine.dispose()
        return len(self._acknowledged) - found
