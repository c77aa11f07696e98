"""The staleness window, with in-memory stand-ins for Redis (real-clock expiry) and the catalogue.

The stand-ins are imported by the other lab-9 tests too.
"""
import time

import pytest

from labkit.cache.strategies import staleness
from labkit.cache.patterns import CacheAside, WriteThrough


class TtlCache:
    """The Redis calls lab 9 makes; entries expire on the real clock; MEMORY USAGE is the length."""

    def __init__(self):
        self.data = {}  # key -> (value, deadline or None)

    def _live(self, key):
        value, deadline = self.data.get(key, (None, None))
        if deadline is not None and time.monotonic() >= deadline:
            del self.data[key]
            return None
        return value

    def get(self, key):
        return self._live(key)

    def set(self, key, value, px=None):
        self.data[key] = (value, None if px is None else time.monotonic() + px / 1000)

    def delete(self, key):
        return int(self.data.pop(key, None) is not None)

    def unlink(self, *keys):
        return sum(self.delete(k) for k in keys)

    def scan_iter(self, match, count=None):
        return [k for k in list(self.data) if k.startswith(match.rstrip("*")) and self._live(k)]

    def memory_usage(self, key):
        value = self._live(key)
        return None if value is None else len(value)

    def pipeline(self, transaction=True):
        return Pipeline(self)


class Pipeline:
    def __init__(self, cache):
        self.cache, self.results = cache, []

    def memory_usage(self, key):
        self.results.append(self.cache.memory_usage(key))

    def execute(self):
        return self.results


class Conn:
    def commit(self):
        pass


class Engine:
    def connect(self):
        return self

    def __enter__(self):
        return Conn()

    def __exit__(self, *exc):
        return False


class VersionCatalog:
    product_table = "t_products"
    engine = Engine()

    def __init__(self, products=10):
        self.prices = {i: "10.00" for i in range(1, products + 1)}
        self.versions = dict.fromkeys(self.prices, 1)

    def page(self, conn, product_id):
        if product_id not in self.prices:
            return None
        return {"id": product_id, "price": self.prices[product_id], "version": self.versions[product_id]}

    def set_price(self, conn, product_id, price):
        self.prices[product_id] = str(price)
        self.versions[product_id] += 1
        return self.versions[product_id]


@pytest.fixture
def parts():
    return TtlCache(), VersionCatalog(), Conn()


def test_without_invalidation_reads_stay_stale_until_the_ttl(parts):
    cache, catalog, conn = parts
    window = staleness.stale_window("none", CacheAside(cache, catalog, "t:", ttl=0.1, invalidation="none"),
                                    conn, 3)
    assert 0.08 <= window.window_s <= 0.5 and window.stale_reads >= 3
    assert catalog.prices[3] == "11.00" and window.ttl == 0.1


@pytest.mark.parametrize("strategy", [lambda c, k: CacheAside(c, k, "t:", ttl=5),
                                      lambda c, k: WriteThrough(c, k, "t:", ttl=5)])
def test_delete_on_write_and_write_through_read_fresh_at_once(parts, strategy):
    cache, catalog, conn = parts
    window = staleness.measure({"fresh": strategy(cache, catalog)}, conn, 3)[0]
    assert window.stale_reads == 0 and window.window_s < 0.01


def test_reads_that_never_turn_fresh_stop_with_a_clear_error(parts):
    cache, catalog, conn = parts
    never = CacheAside(cache, catalog, "t:", invalidation="none")
    never.get(conn, 1)
    version = never.set_price(conn, 1, "12.00")
    with pytest.raises(staleness.StillStale, match="still read as version 1 < 2"):
        staleness.first_fresh_read(never, conn, 1, version, timeout=0.05)


def test_a_missing_product_is_named(parts):
    cache, catalog, conn = parts
    with pytest.raises(KeyError, match="product 99 is not in t_products"):
        staleness.stale_window("x", CacheAside(cache, catalog, "t:"), conn, 99)


def test_the_table_has_one_row_per_window():
    table = staleness.window_table([staleness.StaleWindow("a", 0.5, 0.4991, 40),
                                    staleness.StaleWindow("b", None, 0.0, 0)])
    assert "| a | 0.5 | 40 | 499.1 |" in table and "| b | none | 0 | 0.0 |" in table
