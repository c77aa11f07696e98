"""The staleness window, with in-memory stand-ins for Redis (real-clock expiry) and the catalogue."""
import pytest
from cache_fakes import page_functions

from labkit.cache.strategies import staleness
from labkit.cache.strategies.strategy import Strategy


def strategies(catalog, ttl=None):
    read, write_only, write_and_delete, write_through = page_functions(catalog)
    return {"none": Strategy("none", read, write_only, "t:none:", ttl),
            "delete": Strategy("delete", read, write_and_delete, "t:delete:", ttl),
            "through": Strategy("through", read, write_through, "t:through:", ttl)}


def test_without_invalidation_reads_stay_stale_until_the_ttl(parts):
    cache, catalog, conn = parts
    window = staleness.stale_window(strategies(catalog, ttl=0.1)["none"], cache, conn, 3)
    assert 0.08 <= window.window_s <= 0.5 and window.stale_reads >= 3
    assert catalog.prices[3] == "11.00" and (window.label, window.ttl) == ("none", 0.1)


@pytest.mark.parametrize("name", ["delete", "through"])
def test_delete_on_write_and_write_through_read_fresh_at_once(parts, name):
    cache, catalog, conn = parts
    window = staleness.measure([strategies(catalog, ttl=5)[name]], cache, conn, 3)[0]
    assert window.stale_reads == 0 and window.window_s < 0.01


def test_reads_that_never_turn_fresh_stop_with_a_clear_error(parts):
    cache, catalog, conn = parts
    never = strategies(catalog)["none"]
    never.read(cache, conn, 1)
    version = never.write(cache, conn, 1, "12.00")
    with pytest.raises(staleness.StillStale, match="still read as version 1 < 2"):
        staleness.first_fresh_read(never, cache, conn, 1, version, timeout=0.05)


def test_the_first_fresh_read_reports_the_version_readers_got_first(parts):
    cache, catalog, conn = parts
    fresh = staleness.first_fresh_read(strategies(catalog)["none"], cache, conn, 1, version=1)
    assert (fresh.stale_reads, fresh.first_version) == (0, 1) and fresh.after_s < 0.01


def test_a_missing_product_is_named(parts):
    cache, catalog, conn = parts
    with pytest.raises(KeyError, match="product 99 does not exist"):
        staleness.stale_window(strategies(catalog)["delete"], cache, conn, 99)


def test_a_strategy_needs_a_prefix_that_ends_with_a_colon_and_a_positive_ttl(parts):
    read, write = page_functions(parts[1])[:2]
    with pytest.raises(ValueError, match="must end with ':'"):
        Strategy("x", read, write, "t")
    with pytest.raises(ValueError, match="ttl must be positive"):
        Strategy("x", read, write, "t:", ttl=0)


def test_the_table_has_one_row_per_window():
    table = staleness.window_table([staleness.StaleWindow("a", 0.5, 0.4991, 40),
                                    staleness.StaleWindow("b", None, 0.0, 0)])
    assert "| a | 0.5 | 40 | 499.1 |" in table and "| b | none | 0 | 0.0 |" in table
