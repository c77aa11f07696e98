"""The application of the failover lab, writing all through each trial with the page's code.

Each operation is the page's write of an order whose id the client chose, run through the page's
retry loop (``run(engine, operation, on_retry=...)``) on the page's engine. The tally says what
the application saw: operations, those that failed anyway, the retries made behind its back, the
slowest operation, and the errors it retried; ``missing`` counts acknowledged orders the writer
no longer has.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from labkit import db, poll
from labkit.aurora import outage
from labkit.aurora.background import BackgroundLoop

Write = Callable[[Connection, uuid.UUID], object]
Run = Callable[..., object]  # run(engine, operation, on_retry=callback)


def orders_table(prefix: str) -> sa.Table:
    return sa.Table(f"{prefix}_orders", sa.MetaData(), sa.Column("id", sa.Uuid, primary_key=True))


@dataclass(frozen=True)
class Tally:
    operations: int     # writes the application asked for
    failed: int         # writes that raised to the application despite the retries
    retries: int        # retries the loop made behind its back
    longest: float      # seconds, the slowest operation (the one that waited out the failover)
    errors: list[str]   # distinct errors the loop retried, in the order first seen


class RetryingApp(BackgroundLoop):
    """Background loop of ``run(engine, lambda conn: write(conn, order_id), on_retry=...)``, one
    new order id per operation; use as a context manager, then read ``tally``."""

    def __init__(self, engine: Engine, write: Write, run: Run, table: sa.Table):
        super().__init__(engine)
        self.write, self.run, self.table = write, run, table
        self._counts = {"operations": 0, "failed": 0, "retries": 0, "longest": 0.0}
        self._errors: dict[str, None] = {}
        self._acknowledged: list[uuid.UUID] = []

    def _retried(self, exc: BaseException) -> None:
        self._counts["retries"] += 1
        self._errors.setdefault(outage.describe(exc))

    def step(self) -> float:
        counts = self._counts
        order_id, t0 = uuid.uuid4(), time.monotonic()
        counts["operations"] += 1
        try:
            self.run(self.engine, lambda conn: self.write(conn, order_id), on_retry=self._retried)
            self._acknowledged.append(order_id)
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
        engine = db.engine("pg-writer", poolclass=sa.pool.NullPool)
        with engine.connect() as conn:
            found = conn.execute(sa.select(sa.func.count()).select_from(self.table)
                                 .where(self.table.c.id.in_(self._acknowledged))).scalar_one()
        return len(self._acknowledged) - found
