"""The races that invalidation on write cannot close by itself, played step by step.

Invalidation keeps a cached page fresh only if nobody stores an older page after it. Two
interleavings do exactly that, and both run here with the page's own strategies, one party frozen
at the worst moment by ``PausedCache`` (its cache SET waits, after it has read the database):

- delete on write: a slow reader reads the old row, the writer commits and deletes the key,
  then the reader stores the old page it read: it stays until its TTL;
- update on write: a slow writer re-reads its page, a second writer commits and stores a newer
  one, then the slow writer stores its older page over it.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from labkit import tables
from labkit.cache import keyspace
from labkit.cache.strategies.staleness import first_fresh_read
from labkit.cache.strategies.strategy import Strategy

STEP_TIMEOUT_S = 10.0


class RaceStuck(RuntimeError):
    """A party of the race never reached its step."""


class PausedCache:
    """A Redis client whose SET (or EVAL, for a script that stores) stops until ``go_on`` is set:
    the party using it has read the database and is about to store what it read. Other commands
    pass through."""

    def __init__(self, client, timeout: float = STEP_TIMEOUT_S):
        self.client, self.timeout = client, timeout
        self.about_to_store, self.go_on = threading.Event(), threading.Event()

    def _wait_for_release(self) -> None:
        self.about_to_store.set()
        if not self.go_on.wait(self.timeout):
            raise RaceStuck(f"the paused party was not released within {self.timeout:.0f} s")

    def set(self, *args, **kwargs):
        self._wait_for_release()
        return self.client.set(*args, **kwargs)

    def eval(self, *args):
        self._wait_for_release()
        return self.client.eval(*args)

    def __getattr__(self, name):
        return getattr(self.client, name)


@dataclass(frozen=True)
class RaceOutcome:
    """What the cache and the database held once a race was over, and what readers then saw."""

    strategy: str
    stored_version: int  # the page readers got first: the one the slow party stored
    db_version: int  # the row's version once both parties are done
    stale_for_s: float  # how long a polling reader then kept getting the old page
    stale_reads: int


def _race(slow, paused: PausedCache, fast) -> int:
    """Start ``slow()`` in a thread, run ``fast()`` once the slow party is about to store, then let
    the slow party finish; return what ``fast()`` returned (the new version)."""
    with ThreadPoolExecutor(1) as pool:
        slow_done = pool.submit(slow)
        if not paused.about_to_store.wait(STEP_TIMEOUT_S):
            paused.go_on.set()
            slow_done.result()
            raise RaceStuck("the slow party never stored a page (was its page already cached?)")
        try:
            version = fast()
        finally:
            paused.go_on.set()
        slow_done.result()
    return version


def _outcome(strategy: Strategy, cache, conn, product_id: int, version: int) -> RaceOutcome:
    fresh = first_fresh_read(strategy, cache, conn, product_id, version)
    return RaceOutcome(strategy.label, fresh.first_version, version, fresh.after_s, fresh.stale_reads)


def delete_race(strategy: Strategy, cache, engine: Engine, product_id: int, price="1.00") -> RaceOutcome:
    """A slow reader puts the old page back after the writer (``strategy.write``) deleted the key."""
    paused = PausedCache(cache)
    keyspace.clear(cache, strategy.prefix)  # the reader must miss
    with engine.connect() as reader_conn, engine.connect() as writer_conn:
        version = _race(lambda: strategy.read(paused, reader_conn, product_id), paused,
                        lambda: strategy.write(cache, writer_conn, product_id, price))
        return _outcome(strategy, cache, writer_conn, product_id, version)


def update_race(strategy: Strategy, cache, engine: Engine, product_id: int,
                prices=("2.00", "3.00")) -> RaceOutcome:
    """A slow writer stores its page over the newer page a second writer stored."""
    paused = PausedCache(cache)
    with engine.connect() as slow_conn, engine.connect() as fast_conn:
        version = _race(lambda: strategy.write(paused, slow_conn, product_id, prices[0]), paused,
                        lambda: strategy.write(cache, fast_conn, product_id, prices[1]))
        return _outcome(strategy, cache, fast_conn, product_id, version)


def race_table(outcomes: list[RaceOutcome]) -> str:
    """A Markdown row per race: the version it left in the cache, the database's, and for how long
    readers got the old page."""
    header = ["strategy", "version left in the cache", "version in the database",
              "stale reads after the race", "stale for (ms)"]
    rows = [[o.strategy, o.stored_version, o.db_version, o.stale_reads,
             f"{o.stale_for_s * 1000:.0f}"] for o in outcomes]
    return tables.markdown(header, rows, align="lrrrr")
