"""Clients that call a lab's own Redis function as fast as they can, and remember what it returned.

``Load`` runs ``threads`` workers; each calls ``op(client, key)`` in a loop with keys of its own
(``PREFIX<worker>:<n>``, never reused unless ``cycle`` makes the workers go round the same
``cycle`` keys) and records every call that returned: for a write, that is an acknowledged write. A call that raised a Redis error (a broken connection during a
failover, a write no replica confirmed) is not acknowledged; it is counted by error name, and
the worker waits ``backoff`` seconds and goes on. Any other exception is a bug: it stops the
worker and is raised again when the block ends (``labkit.workers``).
"""
from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import redis

from labkit.workers import Workers

BACKOFF = 0.02  # seconds a worker waits after an error: short, so writes resume soon after a failover


def key_name(prefix: str, worker: int, n: int) -> str:
    return f"{prefix}{worker}:{n}"


@dataclass(frozen=True)
class Call:
    """One call that returned: which key, when it returned (time.monotonic()), how long it took."""
    key: str
    at: float
    seconds: float


class Load(Workers):
    """``with Load(op, client, prefix, threads) as load:`` runs the workers for the block."""

    def __init__(self, op: Callable[[redis.Redis, str], object], client: redis.Redis, prefix: str,
                 threads: int = 4, backoff: float = BACKOFF, cycle: int | None = None):
        if cycle is not None and cycle < 1:
            raise ValueError(f"need at least one key to go round (got {cycle})")
        super().__init__(threads)
        self.op, self.client, self.prefix, self.backoff, self.cycle = op, client, prefix, backoff, cycle
        self.calls: list[Call] = []
        self.errors: Counter[str] = Counter()

    def work(self, worker: int) -> None:
        for n in itertools.count():
            if self.stopping.is_set():
                return
            key = key_name(self.prefix, worker, n if self.cycle is None else n % self.cycle)
            t0 = time.monotonic()
            try:
                self.op(self.client, key)
            except redis.RedisError as exc:
                with self.lock:
                    self.errors[type(exc).__name__] += 1
                self.stopping.wait(self.backoff)
                continue
            t1 = time.monotonic()
            with self.lock:
                self.calls.append(Call(key, t1, t1 - t0))

    def between(self, start: float, end: float) -> list[Call]:
        """The calls that returned in [start, end) (time.monotonic() values)."""
        with self.lock:
            return [c for c in self.calls if start <= c.at < end]


def run(op: Callable[[redis.Redis, str], object], client: redis.Redis, prefix: str, threads: int,
        seconds: float, cycle: int | None = None) -> Load:
    """Run ``op`` on ``threads`` workers for ``seconds``; return the finished load."""
    with Load(op, client, prefix, threads, cycle=cycle) as load:
        time.sleep(seconds)
    return load
