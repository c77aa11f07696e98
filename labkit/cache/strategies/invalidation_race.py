"""The races that invalidation on write cannot close by itself, played step by step.

Invalidation keeps a cached page fresh only if nobody stores an older page after it. Two
interleavings do exactly that, and both run here with the real strategies, one party frozen
at the worst moment by ``PausedCatalog``:

- delete on write: a slow reader reads the old row, the writer commits and deletes the key,
  then the reader stores the old page it read: it stays until its TTL;
- update on write: a slow writer re-reads its page, a second writer commits and stores a newer
  one, then the slow writer stores its older page over it.
"""
from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import redis

from labkit import tables
from labkit.cache.catalog import Catalog
from labkit.cache.patterns import CacheAside
from labkit.cache.strategies.staleness import first_fresh_read

STEP_TIMEOUT_S = 10.0


class RaceStuck(RuntimeError):
    """A party of the race never reached its step."""


class PausedCatalog:
    """The catalogue, except that ``page`` stops after reading the database until ``go_on`` is set."""

    def __init__(self, catalog: Catalog, timeout: float = STEP_TIMEOUT_S):
        self.catalog, self.timeout = catalog, timeout
        self.has_read, self.go_on = threading.Event(), threading.Event()

    @property
    def product_table(self) -> str:
        return self.catalog.product_table

    def page(self, conn, product_id: int) -> dict | None:
        page = self.catalog.page(conn, product_id)
        self.has_read.set()
        if not self.go_on.wait(self.timeout):
            raise RaceStuck(f"the paused party was not released within {self.timeout:.0f} s")
        return page

    def set_price(self, conn, product_id: int, price) -> int:
        return self.catalog.set_price(conn, product_id, price)


@dataclass(frozen=True)
class RaceOutcome:
    """What the cache and the database held once a race was over, and what readers then saw."""

    invalidation: str
    stored_version: int  # the page the slow party stored, read before the other party's write
    db_version: int  # the row's version once both parties are done
    stale_for_s: float  # how long a polling reader then kept getting the old page
    stale_reads: int


def _race(slow, paused: PausedCatalog, fast) -> int:
    """Start ``slow()`` in a thread, run ``fast()`` once the slow party has read the database,
    then let the slow party finish; return what ``fast()`` returned (the new version)."""
    with ThreadPoolExecutor(1) as pool:
        slow_done = pool.submit(slow)
        if not paused.has_read.wait(STEP_TIMEOUT_S):
            paused.go_on.set()
            slow_done.result()
            raise RaceStuck("the slow party never read the database (was its page already cached?)")
        try:
            version = fast()
        finally:
            paused.go_on.set()
        slow_done.result()
    return version


def _outcome(invalidation: str, cache: redis.Redis, strategy: CacheAside, conn, product_id: int,
             version: int) -> RaceOutcome:
    raw = cache.get(strategy.key(product_id))
    if raw is None:
        raise RaceStuck("the slow party stored nothing: the race did not happen")
    stored = json.loads(raw)["version"]
    stale_for, stale_reads = first_fresh_read(strategy, conn, product_id, version)
    return RaceOutcome(invalidation, stored, version, stale_for, stale_reads)


def delete_race(cache: redis.Redis, catalog: Catalog, prefix: str, product_id: int, ttl: float,
                price="1.00") -> RaceOutcome:
    """A slow reader puts the old page back after the writer deleted the key."""
    paused = PausedCatalog(catalog)
    reader = CacheAside(cache, paused, prefix, ttl=ttl, invalidation="delete")
    writer = CacheAside(cache, catalog, prefix, ttl=ttl, invalidation="delete")
    cache.delete(writer.key(product_id))  # the reader must miss
    with catalog.engine.connect() as reader_conn, catalog.engine.connect() as writer_conn:
        version = _race(lambda: reader.get(reader_conn, product_id), paused,
                        lambda: writer.set_price(writer_conn, product_id, price))
        return _outcome("delete", cache, writer, writer_conn, product_id, version)


def update_race(cache: redis.Redis, catalog: Catalog, prefix: str, product_id: int, ttl: float,
                prices=("2.00", "3.00")) -> RaceOutcome:
    """A slow writer stores its page over the newer page a second writer stored."""
    paused = PausedCatalog(catalog)
    slow = CacheAside(cache, paused, prefix, ttl=ttl, invalidation="update")
    fast = CacheAside(cache, catalog, prefix, ttl=ttl, invalidation="update")
    with catalog.engine.connect() as slow_conn, catalog.engine.connect() as fast_conn:
        version = _race(lambda: slow.set_price(slow_conn, product_id, prices[0]), paused,
                        lambda: fast.set_price(fast_conn, product_id, prices[1]))
        return _outcome("update", cache, fast, fast_conn, product_id, version)


def race_table(outcomes: list[RaceOutcome]) -> str:
    """A Markdown row per race: the version it left in the cache, the database's, and for how long
    readers got the old page."""
    header = ["invalidation on write", "version left in the cache", "version in the database",
              "stale reads after the race", "stale for (ms)"]
    rows = [[o.invalidation, o.stored_version, o.db_version, o.stale_reads,
             f"{o.stale_for_s * 1000:.0f}"] for o in outcomes]
    return tables.markdown(header, rows, align="lrrrr")
