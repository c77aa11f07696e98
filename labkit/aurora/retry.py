"""A client that rides through a failover: retry what a failover breaks, with backoff and jitter.

During a failover, statements in flight fail (the connection is cut, the node refuses
connections, or a node that was just demoted answers "read-only"). Those errors are worth
retrying; a syntax error or a duplicate key is not. ``retrying`` retries only what ``retry_on``
accepts, waits an exponentially growing, randomly jittered delay between attempts (so a crowd
of clients does not reconnect in lock step), and gives up at a deadline.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

import psycopg
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from labkit import db

T = TypeVar("T")

# SQLSTATEs a failover produces: read-only transaction (a demoted node), the server shutting down
# or crashing, and the server still starting; class 08 is "connection exception".
RETRYABLE_SQLSTATES = {"25006", "57P01", "57P02", "57P03"}


@dataclass(frozen=True)
class Outcome(Generic[T]):
    value: T
    retries: int


def is_retryable(exc: BaseException) -> bool:
    """True for the errors a failover causes, whether raised by SQLAlchemy or by psycopg."""
    if isinstance(exc, sa.exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        exc = exc.orig
    if not isinstance(exc, psycopg.Error):
        return False
    state = exc.sqlstate or ""
    if state in RETRYABLE_SQLSTATES or state.startswith("08"):
        return True
    return isinstance(exc, psycopg.OperationalError) and not state  # refused, reset, closed


def retrying(fn: Callable[[], T], retry_on: Callable[[BaseException], bool] = is_retryable,
             deadline: float = 30.0, first_delay: float = 0.05, max_delay: float = 1.0,
             clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
             jitter: Callable[[], float] = random.random,
             on_retry: Callable[[BaseException], None] = lambda exc: None) -> Outcome[T]:
    """Call ``fn`` until it succeeds; retry the exceptions ``retry_on`` accepts for up to
    ``deadline`` seconds, waiting a random fraction ("full jitter") of a delay that doubles
    from ``first_delay`` up to ``max_delay``. Other exceptions, and the last one at the
    deadline, propagate. Returns the value and how many retries it took.
    """
    if deadline <= 0 or first_delay <= 0 or max_delay < first_delay:
        raise ValueError("need deadline > 0 and 0 < first_delay <= max_delay, got "
                         f"deadline={deadline}, first_delay={first_delay}, max_delay={max_delay}")
    give_up_at = clock() + deadline
    retries = 0
    while True:
        try:
            return Outcome(fn(), retries)
        except Exception as exc:
            if not retry_on(exc):
                raise
            delay = jitter() * min(max_delay, first_delay * 2 ** retries)
            if clock() + delay > give_up_at:
                exc.add_note(f"gave up after {retries} retries in {deadline:g} s")
                raise
            on_retry(exc)
            retries += 1
            sleep(delay)


def resilient_engine(name: str = "pg-writer") -> Engine:
    """A pooled engine that checks each connection before use (``pool_pre_ping``) and discards
    its pool when a node answers "read-only": after a failover, connections opened to the old
    writer (now a replica) must not be reused for writes."""
    engine = db.engine(name, pool_pre_ping=True)

    @event.listens_for(engine, "handle_error")
    def _read_only_means_stale(context) -> None:
        if isinstance(context.original_exception, psycopg.errors.ReadOnlySqlTransaction):
            context.is_disconnect = True

    return engine
