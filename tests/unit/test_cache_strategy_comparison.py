"""The strategy comparison's bookkeeping, over the in-memory stand-ins."""
import pytest

from labkit.cache.strategies import strategy_comparison as sc
from labkit.cache.patterns import CacheAside, WriteThrough
from cache_fakes import FakeRedis, VersionCatalog


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


def run(strategy_class, **kwargs):
    catalog = VersionCatalog()
    return sc.compare({"s": strategy_class(FakeRedis(), catalog, "t:", **kwargs)}, OPS)[0]


def test_cache_aside_without_invalidation_serves_stale_reads_and_caches_only_what_was_read():
    r = run(CacheAside, invalidation="none")
    assert (r.stale_reads, r.reads, r.writes, r.calls_per_write) == (2, 3, 3, 1.0)
    assert (r.stock.keys, r.stock.never_read_keys) == (1, 0)


def test_delete_on_write_is_never_stale_and_costs_two_calls_per_write():
    r = run(CacheAside, invalidation="delete")
    assert (r.stale_reads, r.calls_per_write, r.misses) == (0, 2.0, 2)


def test_write_through_caches_what_nobody_reads():
    r = run(WriteThrough)
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
    table = sc.comparison_table([run(WriteThrough)])
    assert table.count("\n") == 2 and "| s | 67% |" in table and "| 3.0 |" in table
