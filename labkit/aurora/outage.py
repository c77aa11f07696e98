"""The outage a client sees during a failover, measured from its own requests.

A ``Probe`` thread runs the page's write on a fresh connection to an endpoint every ~20 ms, with no
retry, recording when each attempt started and ended, which node answered, or which error it got.
``measure`` turns those records into the client-visible outage: from the start of the first
failed attempt to the end of the first successful write on a node other than the old writer.
Fresh connections mean no pool hides or prolongs the outage; every figure is this machine's
monotonic clock.
"""
from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from labkit import db, poll
from labkit.aurora.background import BackgroundLoop

INTERVAL = 0.02  # seconds between the starts of two attempts


@dataclass(frozen=True)
class Attempt:
    start: float
    end: float
    node: str | None = None   # who accepted the write; None when it failed
    error: str | None = None  # "ExceptionClass: first line of the message"

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Outage:
    seconds: float
    new_node: str           # the node the endpoint led to once writes succeeded again
    failed: int             # attempts that failed
    errors: list[str] = field(default_factory=list)  # distinct errors, in the order first seen


def measure(attempts: list[Attempt], old_writer: str) -> Outage:
    """The client-visible outage in ``attempts`` (in time order) around the loss of ``old_writer``.

    It starts at the first failed attempt, or, if none failed (the writer changed between two
    attempts), at the end of the last write the old writer accepted; it ends with the first
    write another node accepted.
    """
    first_new = next((a for a in attempts if a.ok and a.node != old_writer), None)
    if first_new is None:
        raise ValueError(f"no attempt succeeded on a node other than {old_writer}: "
                         "the endpoint never led to a new writer while the probe ran")
    before = [a for a in attempts if a.end <= first_new.start]
    failures = [a for a in before if not a.ok]
    if failures:
        start = failures[0].start
    else:
        on_old = [a.end for a in before if a.node == old_writer]
        start = on_old[-1] if on_old else first_new.start
    errors = list(dict.fromkeys(a.error for a in failures))
    return Outage(first_new.end - start, first_new.node, len(failures), errors)


# psycopg prefixes every connection error with the address, which says nothing new here
_ADDRESS = re.compile(r'connection to server at "[^"]*", port \d+ failed: ')


def describe(exc: BaseException) -> str:
    """'ExceptionClass: first line' of the driver error under a SQLAlchemy one."""
    orig = getattr(exc, "orig", None) or exc
    lines = _ADDRESS.sub("", str(orig)).strip().splitlines() or [""]
    return f"{type(orig).__module__}.{type(orig).__name__}: {lines[0]}"


class Probe(BackgroundLoop):
    """The careless client: ``write(conn, uuid)`` and a commit on a fresh connection every
    INTERVAL s, no retry. Use as a context manager; ``attempts`` holds the records,
    ``wait_for(node)`` blocks until a write succeeded on that node.
    """

    def __init__(self, write: Callable[[Connection, uuid.UUID], object], endpoint: str = "pg-writer"):
        super().__init__(db.engine(endpoint, poolclass=sa.pool.NullPool))
        self.write = write
        self.attempts: list[Attempt] = []

    def _attempt(self) -> Attempt:
        start = time.monotonic()
        try:
            with self.engine.connect() as conn:
                node = db.identify(conn).node
                self.write(conn, uuid.uuid4())
                conn.commit()
            return Attempt(start, time.monotonic(), node=node)
        except sa.exc.DBAPIError as exc:
            return Attempt(start, time.monotonic(), error=describe(exc))

    def step(self) -> float:
        attempt = self._attempt()
        self.attempts.append(attempt)
        return max(0.0, INTERVAL - (attempt.end - attempt.start))

    def wait_for(self, node: str, timeout: float = 30.0) -> None:
        """Block until a write succeeded on ``node`` (the endpoint follows it)."""
        poll.until(lambda: any(a.ok and a.node == node for a in list(self.attempts)), timeout,
                   f"the endpoint to lead to {node}", interval=INTERVAL,
                   hint=lambda: f"last attempt: {self.attempts[-1] if self.attempts else None}")
