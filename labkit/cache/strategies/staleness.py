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

from labkit import tables
from labkit.cache import keyspace
from labkit.cache.strategies.strategy import Strategy

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


@dataclass(frozen=True)
class FirstFresh:
    """A polling reader's way to the first read that carried the database's version."""

    after_s: float      # from the start of polling to the start of the first fresh read
    stale_reads: int
    first_version: int  # the version the first read returned (older than the row if stale)


def first_fresh_read(strategy: Strategy, cache, conn, product_id: int, version: int,
                     timeout: float | None = None, poll_s: float = POLL_S) -> FirstFresh:
    """Read until the page carries ``version`` or newer. The default timeout is twice the
    strategy's TTL plus 5 s: by then any cached copy has expired and been read again."""
    if timeout is None:
        timeout = (strategy.ttl or 0) * 2 + 5
    start = time.monotonic()
    stale, first = 0, None
    while True:
        began = time.monotonic()
        page = strategy.read(cache, conn, product_id)
        if page is None:
            raise KeyError(f"product {product_id} does not exist: read with {strategy.label!r}")
        first = page["version"] if first is None else first
        if page["version"] >= version:
            return FirstFresh(began - start, stale, first)
        stale += 1
        if began - start > timeout:
            raise StillStale(f"product {product_id} still read as version {page['version']} < {version}"
                             f" after {timeout:.1f} s under {strategy.prefix}")
        time.sleep(poll_s)


def stale_window(strategy: Strategy, cache, conn, product_id: int) -> StaleWindow:
    """Load the page into the cache, raise its price by one, and time how long reads stay stale.

    The cached copy is loaded just before the write, so with a TTL the window is close to the TTL.
    """
    keyspace.clear(cache, strategy.prefix)  # a new entry: its TTL starts now
    page = strategy.read(cache, conn, product_id)
    if page is None:
        raise KeyError(f"product {product_id} does not exist: read with {strategy.label!r}")
    version = strategy.write(cache, conn, product_id, Decimal(page["price"]) + 1)
    fresh = first_fresh_read(strategy, cache, conn, product_id, version)
    return StaleWindow(strategy.label, strategy.ttl, fresh.after_s, fresh.stale_reads)


def measure(strategies: list[Strategy], cache, conn, product_id: int) -> list[StaleWindow]:
    """``stale_window`` for each strategy, in order."""
    return [stale_window(s, cache, conn, product_id) for s in strategies]


def window_table(windows: list[StaleWindow]) -> str:
    """A Markdown table: strategy, TTL, stale reads seen, staleness window."""
    rows = [[w.label, "none" if w.ttl is None else f"{w.ttl:g}", w.stale_reads,
             f"{w.window_s * 1000:.1f}"] for w in windows]
    return tables.markdown(["strategy", "TTL (s)", "stale reads", "staleness window (ms)"], rows,
                           align="lrrr")
