"""The caching strategies' bookkeeping, with an in-memory stand-in for Redis and the catalogue."""
import pytest

from labkit.cache import keyspace
from labkit.cache.patterns import CacheAside, WriteThrough


def test_a_miss_loads_the_database_and_the_next_read_hits(parts):
    cache, catalog, conn = parts
    aside = CacheAside(cache, catalog, "t:")
    assert aside.get(conn, 1)["price"] == "10.00"
    assert aside.get(conn, 1)["price"] == "10.00"
    assert (aside.calls["misses"], aside.calls["hits"], aside.calls["db_reads"]) == (1, 1, 1)


def test_a_missing_row_is_not_cached(parts):
    cache, catalog, conn = parts
    aside = CacheAside(cache, catalog, "t:")
    assert aside.get(conn, 99) is None and not cache.data


def test_without_invalidation_the_cache_serves_the_old_price(parts):
    cache, catalog, conn = parts
    aside = CacheAside(cache, catalog, "t:", invalidation="none")
    aside.get(conn, 1)
    aside.set_price(conn, 1, "11.00")
    assert aside.get(conn, 1)["version"] == 1


@pytest.mark.parametrize("strategy", [lambda c, k: CacheAside(c, k, "t:"), lambda c, k: WriteThrough(c, k, "t:")])
def test_delete_on_write_and_write_through_never_serve_the_old_price(parts, strategy):
    cache, catalog, conn = parts
    used = strategy(cache, catalog)
    used.get(conn, 1)
    used.set_price(conn, 1, "11.00")
    assert used.get(conn, 1)["version"] == 2


def test_write_through_costs_a_database_write_a_read_and_a_cache_set_per_write(parts):
    cache, catalog, conn = parts
    through = WriteThrough(cache, catalog, "t:")
    through.set_price(conn, 2, "21.00")
    assert (through.calls["db_writes"], through.calls["db_reads"], through.calls["cache_set"]) == (1, 1, 1)
    assert "t:product:2" in cache.data


def test_a_dead_cache_is_not_fatal(parts):
    cache, catalog, conn = parts
    cache.stop()
    aside = CacheAside(cache, catalog, "t:")
    assert aside.get(conn, 1)["price"] == "10.00"
    assert aside.calls["cache_errors"] == 2 and aside.calls["db_reads"] == 1


def test_ttl_jitter_spreads_expiries_within_bounds(parts):
    cache, catalog, _ = parts
    aside = CacheAside(cache, catalog, "t:", ttl=10, ttl_jitter=0.2)
    spread = {aside.expiry_ms() for _ in range(200)}
    assert min(spread) >= 8000 and max(spread) <= 12000 and len(spread) > 50
    assert CacheAside(cache, catalog, "t:").expiry_ms() is None


@pytest.mark.parametrize("kwargs, message", [
    ({"prefix": "t"}, "must end with ':'"), ({"prefix": "t:", "ttl": 0}, "ttl must be positive"),
    ({"prefix": "t:", "ttl_jitter": 1.5}, "ttl_jitter"), ({"prefix": "t:", "invalidation": "x"}, "invalidation"),
])
def test_bad_settings_are_refused(parts, kwargs, message):
    cache, catalog, _ = parts
    with pytest.raises(ValueError, match=message):
        CacheAside(cache, catalog, **kwargs)


def test_clearing_a_prefix_that_could_match_another_labs_keys_is_refused():
    with pytest.raises(ValueError, match="must end with ':'"):
        keyspace.clear(None, "lab08")
