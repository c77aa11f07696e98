"""How long readers keep getting an old page after the database changed: the staleness window.

The database row carries a version that every price change bumps, and the cached page carries
the version it was built from, so a read is stale exactly when its version is older than the
one the write returned. Under cache-aside without invalidation the old page stays until its TTL
runs out; when the write also deletes or rewrites the cached copy, the first read is fresh.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.engine import Connection

from labkit import tables
from labkit.cache.patterns import CacheAside

POLL_S = 0.01  # pause between two reads of the polling reader


class StillStale(RuntimeError):
    """Reads kept returning an old version for longer than the caller allowed."""


@dataclass(frozen=True)
class StaleWindow:
    """What one reader saw after one committed price change."""

    label: str
    ttl: float | None
    window_s: float  # from the write's return to the start of the first fresh read
    stale_reads: int


def first_fresh_read(strategy: CacheAside, conn: Connection, product_id: int, version: int,
                     timeout: float | None = None, poll_s: float = POLL_S) -> tuple[float, int]:
    """Read until the page carries ``version`` or newer; return (seconds until the first fresh
    read started, stale reads seen on the way). The default timeout is twice the strategy's TTL
    plus 5 s: by then any cached copy has expired and been read again."""
    if timeout is None:
        timeout = (strategy.ttl or 0) * 2 + 5
    start = time.monotonic()
    stale = 0
    while True:
        began = time.monotonic()
        page = strategy.get(conn, product_id)
        if page is None:
            raise KeyError(f"product {product_id} is not in {strategy.catalog.product_table}")
        if page["version"] >= version:
            return began - start, stale
        stale += 1
        if began - start > timeout:
            raise StillStale(f"product {product_id} still read as version {page['version']} < {version}"
                             f" after {timeout:.1f} s under {strategy.prefix}")
        time.sleep(poll_s)


def stale_window(label: str, strategy: CacheAside, conn: Connection, product_id: int) -> StaleWindow:
    """Load the page into the cache, raise its price by one, and time how long reads stay stale.

    The cached copy is loaded just before the write, so with a TTL the window is close to the TTL.
    """
    strategy.cache.delete(strategy.key(product_id))  # a new entry: its TTL starts now
    page = strategy.get(conn, product_id)
    if page is None:
        raise KeyError(f"product {product_id} is not in {strategy.catalog.product_table}")
    version = strategy.set_price(conn, product_id, Decimal(page["price"]) + 1)
    window, stale = first_fresh_read(strategy, conn, product_id, version)
    return StaleWindow(label, strategy.ttl, window, stale)


def measure(strategies: dict[str, CacheAside], conn: Connection, product_id: int) -> list[StaleWindow]:
    """``stale_window`` for each labelled strategy, in order."""
    return [stale_window(label, s, conn, product_id) for label, s in strategies.items()]


def window_table(windows: list[StaleWindow]) -> str:
    """A Markdown table: strategy, TTL, stale reads seen, staleness window."""
    rows = [[w.label, "none" if w.ttl is None else f"{w.ttl:g}", w.stale_reads,
             f"{w.window_s * 1000:.1f}"] for w in windows]
    return tables.markdown(["strategy", "TTL (s)", "stale reads", "staleness window (ms)"], rows,
                           align="lrrr")
