"""Watch the page's caching code from outside: every cache call and SQL statement it makes, timed.

The labs write their read and write paths (``get_product``, ``save_product``, ...) as plain
functions that take a Redis client and a database connection. A harness hands them a ``Probe``'s
client and connection instead: the functions run unchanged against the real servers, and the probe
tells a hit from a miss, sees a cache that did not answer, and times each step.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

GET, SET, DELETE, SQL = "cache GET", "cache SET", "cache DELETE", "SQL statement"


@dataclass(frozen=True)
class Call:
    """One round trip the page's code made."""

    step: str               # GET, SET, DELETE or SQL
    seconds: float
    key: str | None = None  # the cache key, for cache calls
    found: bool = False     # a GET that returned a value
    failed: bool = False    # the call raised (a cache that does not answer, for instance)


@dataclass(frozen=True)
class Observed:
    """What one call of a page function did: its result, its time, the round trips it made."""

    result: Any
    seconds: float
    calls: tuple[Call, ...]

    @property
    def hit(self) -> bool:
        """A GET found the key: the answer came from the cache."""
        return any(c.step == GET and c.found for c in self.calls)

    @property
    def cache_failed(self) -> bool:
        return any(c.failed and c.step != SQL for c in self.calls)

    def seconds_in(self, step: str) -> float:
        return sum(c.seconds for c in self.calls if c.step == step)

    def steps(self) -> Counter:
        """How many round trips of each step."""
        return Counter(c.step for c in self.calls)

    def keys_read(self) -> set[str]:
        return {c.key for c in self.calls if c.step == GET}


class Probe:
    """A cache client and a connection that record every call made through them."""

    def __init__(self, cache, conn):
        self.log: list[Call] = []
        self.cache = _ProbedCache(cache, self)
        self.conn = _ProbedConnection(conn, self)

    def timed(self, step: str, call: Callable, *args, key: str | None = None, **kwargs):
        started = time.perf_counter()
        try:
            result = call(*args, **kwargs)
        except Exception:  # recorded, then raised to the page's code as it is
            self.log.append(Call(step, time.perf_counter() - started, key, failed=True))
            raise
        self.log.append(Call(step, time.perf_counter() - started, key, found=result is not None))
        return result

    def watch(self, function: Callable, *args) -> Observed:
        """Run ``function(*args)`` (args usually start with this probe's cache and connection)."""
        first = len(self.log)
        started = time.perf_counter()
        result = function(*args)
        seconds = time.perf_counter() - started
        return Observed(result, seconds, tuple(self.log[first:]))


class _ProbedCache:
    """A Redis client whose GET, SET and DELETE are recorded; other commands pass through."""

    def __init__(self, client, probe: Probe):
        self.client, self.probe = client, probe

    def get(self, key):
        return self.probe.timed(GET, self.client.get, key, key=key)

    def set(self, key, value, **options):
        return self.probe.timed(SET, self.client.set, key, value, key=key, **options)

    def delete(self, *keys):
        return self.probe.timed(DELETE, self.client.delete, *keys, key=keys[0] if keys else None)

    def __getattr__(self, name):
        return getattr(self.client, name)


class _ProbedConnection:
    """A database connection whose statements are recorded; commit and the rest pass through."""

    def __init__(self, conn, probe: Probe):
        self.conn, self.probe = conn, probe

    def execute(self, *args, **kwargs):
        return self.probe.timed(SQL, self.conn.execute, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.conn, name)
