"""read_steps against an in-memory cache and catalogue: no servers."""
import pytest
from cache_fakes import Conn, FakeRedis, VersionCatalog, lab08_functions

from labkit.cache.strategies import read_steps


def lab_read(catalog):
    return lab08_functions(catalog)[0]


def key(product_id):
    return f"lab08:product:{product_id}"


def test_each_product_gives_a_database_read_a_miss_and_a_hit():
    cache, catalog, conn = FakeRedis(), VersionCatalog(), Conn()
    cache.set(key(2), '{"id": 2, "version": 0}')  # a stale copy: deleted before the miss
    reads = read_steps.time_reads(lab_read(catalog), catalog.page, key, cache, conn, [1, 2])
    assert [r.kind for r in reads] == [read_steps.DATABASE_ONLY, read_steps.MISS, read_steps.HIT] * 2
    assert conn.statements == 4  # one database-only read and one miss per product
    assert set(reads[0].steps) == {read_steps.QUERY}
    assert set(reads[1].steps) == set(read_steps.STEPS)
    assert set(reads[2].steps) == {read_steps.GET}
    assert all(r.seconds >= sum(r.steps.values()) >= 0 for r in reads)


def test_a_read_is_classified_by_what_the_cache_did():
    class ForgetfulCache(FakeRedis):
        def set(self, key, value, ex=None, px=None):
            return True  # never keeps anything: the second read misses too

    catalog = VersionCatalog()
    reads = read_steps.time_reads(lab_read(catalog), catalog.page, key, ForgetfulCache(), Conn(), [5])
    assert [r.kind for r in reads] == [read_steps.DATABASE_ONLY, read_steps.MISS, read_steps.MISS]


def one_read_of_each_kind():
    return [read_steps.Read(read_steps.DATABASE_ONLY, 0.004, {read_steps.QUERY: 0.004}),
            read_steps.Read(read_steps.MISS, 0.006, {read_steps.GET: 0.001, read_steps.QUERY: 0.004,
                                                     read_steps.SET: 0.001}),
            read_steps.Read(read_steps.HIT, 0.001, {read_steps.GET: 0.001})]


def test_medians_are_typed_milliseconds_of_each_kind_and_step():
    reads = one_read_of_each_kind()
    p50 = read_steps.medians_ms(reads)
    assert (p50.database_only, p50.miss, p50.hit) == pytest.approx((4, 6, 1))
    assert (p50.miss_get, p50.miss_query, p50.miss_set) == pytest.approx((1, 4, 1))
    with pytest.raises(ValueError, match="no read of kind"):
        read_steps.medians_ms(reads[:1])


def test_series_lists_kinds_then_the_three_steps_of_a_miss():
    reads = one_read_of_each_kind()
    rows = read_steps.series(reads)
    assert list(rows) == [read_steps.DATABASE_ONLY, read_steps.MISS, read_steps.HIT,
                          "miss step 1: cache GET", "miss step 2: database query", "miss step 3: cache SET"]
    assert rows["miss step 2: database query"] == [0.004]


def test_median_steps_counts_missing_steps_as_zero_and_refuses_an_absent_kind():
    reads = [read_steps.Read(read_steps.HIT, 0.001, {read_steps.GET: 0.001}),
             read_steps.Read(read_steps.HIT, 0.003, {read_steps.GET: 0.003})]
    assert read_steps.median_steps(reads, read_steps.HIT) == {
        read_steps.GET: 0.002, read_steps.QUERY: 0.0, read_steps.SET: 0.0}
    with pytest.raises(ValueError, match="no read of kind"):
        read_steps.median_steps(reads, read_steps.MISS)
