"""read_steps against an in-memory cache and catalogue: no servers."""
import pytest
from cache_fakes import FakeRedis, VersionCatalog

from labkit.cache.strategies import read_steps
from labkit.cache.patterns import CacheAside


class CountingCatalog(VersionCatalog):
    """Counts the page queries that reach the database."""

    queries = 0

    def page(self, conn, product_id):
        self.queries += 1
        return super().page(conn, product_id)


def test_each_product_gives_a_database_read_a_miss_and_a_hit():
    cache, catalog = FakeRedis(), CountingCatalog()
    aside = CacheAside(cache, catalog, "lab08:")
    cache.set(aside.key(2), '{"id": 2, "version": 0}')  # a stale copy: deleted before the miss
    reads = read_steps.time_reads(aside, None, [1, 2])
    assert [r.kind for r in reads] == [read_steps.DATABASE_ONLY, read_steps.MISS, read_steps.HIT] * 2
    assert catalog.queries == 4  # one database-only read and one miss per product
    assert set(reads[0].steps) == {read_steps.QUERY}
    assert set(reads[1].steps) == set(read_steps.STEPS)
    assert set(reads[2].steps) == {read_steps.GET}
    assert all(r.seconds >= sum(r.steps.values()) >= 0 for r in reads)


def test_a_read_is_classified_by_what_the_cache_did():
    class ForgetfulCache(FakeRedis):
        def set(self, key, value, px=None):
            pass  # never keeps anything: the second read misses too

    aside = CacheAside(ForgetfulCache(), VersionCatalog(), "lab08:")
    kinds = [r.kind for r in read_steps.time_reads(aside, None, [5])]
    assert kinds == [read_steps.DATABASE_ONLY, read_steps.MISS, read_steps.MISS]


def test_stopwatch_adds_up_a_step_even_when_the_call_fails():
    watch = read_steps.Stopwatch()

    def boom():
        raise RuntimeError("down")

    with pytest.raises(RuntimeError):
        watch.time("cache GET", boom)
    watch.time("cache GET", lambda: None)
    assert set(watch.steps) == {"cache GET"} and watch.steps["cache GET"] >= 0


def test_series_lists_kinds_then_the_three_steps_of_a_miss():
    reads = [read_steps.Read(read_steps.DATABASE_ONLY, 0.004, {read_steps.QUERY: 0.004}),
             read_steps.Read(read_steps.MISS, 0.006, {read_steps.GET: 0.001, read_steps.QUERY: 0.004,
                                                      read_steps.SET: 0.001}),
             read_steps.Read(read_steps.HIT, 0.001, {read_steps.GET: 0.001})]
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
