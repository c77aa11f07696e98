"""The strategy comparison's bookkeeping, over the in-memory stand-ins."""
import pytest

from labkit.cache.strategies import strategy_comparison as sc
from labkit.cache.strategies.strategy import Strategy
from cache_fakes import FakeRedis, VersionCatalog, page_functions


@pytest.fixture(autouse=True)
def versions_from_the_stand_in(monkeypatch):
    monkeypatch.setattr(sc, "current_versions", lambda conn, catalog: dict(catalog.versions))


def test_the_workload_is_repeatable_and_mixes_hot_reads_with_spread_writes():
    ops = sc.mixed_workload(1000, 4000, write_share=0.4, hot_write_share=0.0, seed=3)
    assert ops == sc.mixed_workload(1000, 4000, write_share=0.4, hot_write_share=0.0, seed=3)
    reads = [k for kind, k in ops if kind == "read"]
    writes = [k for kind, k in ops if kind == "write"]
    assert 0.35 < len(writes) / len(ops) < 0.45
    assert len(set(reads)) < len(set(writes))  # Zipf reads repeat a few keys; writes spread out
    assert all(1 <= k <= 1000 for _, k in ops)


def test_a_bad_share_is_refused():
    with pytest.raises(ValueError, match="write_share is a share"):
        sc.mixed_workload(10, 10, write_share=1.5)


OPS = [("read", 1), ("write", 1), ("read", 1), ("write", 2), ("write", 3), ("read", 1)]


def run(which):
    catalog = VersionCatalog()
    read, write_only, write_and_delete, write_through = page_functions(catalog)
    write = {"none": write_only, "delete": write_and_delete, "through": write_through}[which]
    return sc.compare([Strategy("s", read, write, "t:")], FakeRedis(), catalog, OPS)[0]


def test_cache_aside_without_invalidation_serves_stale_reads_and_caches_only_what_was_read():
    r = run("none")
    assert (r.stale_reads, r.reads, r.writes, r.calls_per_write) == (2, 3, 3, 1.0)
    assert (r.stock.keys, r.stock.never_read_keys) == (1, 0)


def test_delete_on_write_is_never_stale_and_costs_two_calls_per_write():
    r = run("delete")
    assert (r.stale_reads, r.calls_per_write, r.misses) == (0, 2.0, 2)


def test_write_through_caches_what_nobody_reads():
    r = run("through")
    assert (r.stale_reads, r.calls_per_write, r.hit_ratio) == (0, 3.0, 2 / 3)
    assert (r.stock.keys, r.stock.never_read_keys) == (3, 2)
    assert r.stock.never_read_bytes > 0 and r.stock.never_read_share == pytest.approx(2 / 3)
    assert r.mean_read_ms == pytest.approx(1000 * sum(r.read_latency_s) / 3)


def test_stock_skips_keys_that_expire_while_counted():
    cache = FakeRedis()
    cache.set("t:a", "xx")
    cache.set("t:b", "yyy")
    cache.memory_usage = lambda key: None if key == "t:b" else 2
    stock = sc.take_stock(cache, "t:", read_keys={"t:a"})
    assert (stock.keys, stock.bytes, stock.never_read_keys) == (1, 2, 0)


def test_the_table_has_one_row_per_strategy():
    table = sc.comparison_table([run("through")])
    assert table.count("\n") == 2 and "| s | 67% |" in table and "| 3.0 |" in table


def test_after_an_idle_time_entries_with_a_short_ttl_are_gone():
    cache, catalog = FakeRedis(), VersionCatalog()
    read, _, _, write_through = page_functions(catalog)
    strategies = [Strategy("kept", read, write_through, "t:kept:"),
                  Strategy("ttl", read, write_through, "t:ttl:", ttl=0.05)]
    runs = sc.compare(strategies, cache, catalog, OPS)
    left = sc.stock_after_idle(strategies, runs, cache, idle_s=0.1)
    assert (left["kept"].never_read_keys, left["ttl"].keys) == (2, 0)
