"""The two caching strategies of the notes, over the catalogue and any Redis client.

- ``CacheAside`` (lazy loading): read the cache; on a miss read the database and put the
  answer in the cache, with an optional TTL. A write goes to the database and, by default,
  deletes the cached copy (invalidation) so the next read reloads it.
- ``WriteThrough``: every write goes to the database and then puts the new value in the
  cache; reads are still lazy, so a key never written is loaded on its first read.

A cache that does not answer is not fatal: the read falls back to the database and the error
is counted, as an application should do.  ``calls`` counts every call each strategy makes, so
the chapters can show a miss's three trips and a write's calls. Labs 8 and 9 write these
patterns as functions in their pages instead.
"""
from __future__ import annotations

import json
import random
from collections import Counter

import redis
from sqlalchemy.engine import Connection

from labkit.cache.catalog import Catalog

INVALIDATIONS = ("delete", "update", "none")


class CacheAside:
    """Lazy loading of catalogue pages into ``cache`` under ``prefix`` (ends with ':')."""

    def __init__(self, cache: redis.Redis, catalog: Catalog, prefix: str, ttl: float | None = None,
                 ttl_jitter: float = 0.0, invalidation: str = "delete"):
        if not prefix.endswith(":"):
            raise ValueError(f"prefix {prefix!r} must end with ':'")
        if ttl is not None and ttl <= 0:
            raise ValueError(f"ttl must be positive seconds or None for no expiry (got {ttl})")
        if not 0 <= ttl_jitter < 1:
            raise ValueError(f"ttl_jitter is a share of the TTL in [0, 1) (got {ttl_jitter})")
        if invalidation not in INVALIDATIONS:
            raise ValueError(f"invalidation must be one of {INVALIDATIONS} (got {invalidation!r})")
        self.cache, self.catalog, self.prefix = cache, catalog, prefix
        self.ttl, self.ttl_jitter, self.invalidation = ttl, ttl_jitter, invalidation
        self.calls: Counter[str] = Counter()

    def key(self, product_id: int) -> str:
        return f"{self.prefix}product:{product_id}"

    def expiry_ms(self) -> int | None:
        """The TTL for one new entry, spread by up to ±jitter so entries loaded together do not
        all expire together."""
        if self.ttl is None:
            return None
        spread = 1 + random.uniform(-self.ttl_jitter, self.ttl_jitter)
        return max(1, round(self.ttl * spread * 1000))

    def _cache(self, op: str, *args, **kwargs):
        """One cache call, counted; None if the cache does not answer (the caller goes on)."""
        self.calls[f"cache_{op}"] += 1
        try:
            return getattr(self.cache, op)(*args, **kwargs)
        except redis.RedisError:
            self.calls["cache_errors"] += 1
            return None

    def _store(self, product_id: int, page: dict) -> None:
        self._cache("set", self.key(product_id), json.dumps(page), px=self.expiry_ms())

    def get(self, conn: Connection, product_id: int) -> dict | None:
        """The product page, from the cache when it holds it, else from the database."""
        raw = self._cache("get", self.key(product_id))
        if raw is not None:
            self.calls["hits"] += 1
            return json.loads(raw)
        self.calls["misses"] += 1
        self.calls["db_reads"] += 1
        page = self.catalog.page(conn, product_id)
        if page is not None:
            self._store(product_id, page)
        return page

    def set_price(self, conn: Connection, product_id: int, price) -> int:
        """Write the database, then keep the cache from serving the old price (per ``invalidation``)."""
        version = self._write(conn, product_id, price)
        if self.invalidation == "delete":
            self._cache("delete", self.key(product_id))
        elif self.invalidation == "update":
            self._refresh(conn, product_id)
        return version

    def _write(self, conn: Connection, product_id: int, price) -> int:
        self.calls["db_writes"] += 1
        version = self.catalog.set_price(conn, product_id, price)
        conn.commit()
        return version

    def _refresh(self, conn: Connection, product_id: int) -> None:
        self.calls["db_reads"] += 1
        page = self.catalog.page(conn, product_id)
        if page is not None:
            self._store(product_id, page)


class WriteThrough(CacheAside):
    """Every write also writes the cache, so a cached page is never older than the database."""

    def __init__(self, cache: redis.Redis, catalog: Catalog, prefix: str, ttl: float | None = None,
                 ttl_jitter: float = 0.0):
        super().__init__(cache, catalog, prefix, ttl, ttl_jitter, invalidation="update")
