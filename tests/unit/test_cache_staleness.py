"""The staleness window, with in-memory stand-ins for Redis (real-clock expiry) and the catalogue."""
import pytest

from labkit.cache.strategies import staleness
from labkit.cache.patterns import CacheAside, WriteThrough


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
