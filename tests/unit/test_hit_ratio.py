"""hit_ratio: replaying traffic through cache-aside with an in-memory cache; no servers."""
import numpy as np
import pytest
from cache_fakes import Conn, FakeRedis, VersionCatalog, lab08_functions

from labkit.cache.strategies import hit_ratio


def test_only_the_first_read_of_a_key_misses():
    read, write = lab08_functions(VersionCatalog())
    hits = hit_ratio.replay(read, write, FakeRedis(), Conn(), hit_ratio.Traffic(np.array([1, 2, 1, 1, 3, 2])))
    assert hits == [False, False, True, True, False, True]


def test_a_write_before_every_read_leaves_no_hit():
    catalog = VersionCatalog(products=1)
    read, write = lab08_functions(catalog)
    hits = hit_ratio.replay(read, write, FakeRedis(), Conn(), hit_ratio.Traffic(np.array([1, 1, 1]), write_share=1.0))
    assert hits == [False, False, False]
    assert catalog.versions == {1: 4}


def test_each_scenario_starts_from_an_empty_cache_and_counts_what_it_left():
    cache = FakeRedis()
    cache.set("lab08:product:9", "{}")
    read, write = lab08_functions(VersionCatalog())
    scenarios = {"a": hit_ratio.Traffic(np.array([1, 2, 1])), "b": hit_ratio.Traffic(np.array([1, 1]))}
    results = hit_ratio.compare(read, write, cache, Conn(), "lab08:", scenarios)
    assert results["a"] == hit_ratio.Replay([False, False, True], 2)
    assert results["b"] == hit_ratio.Replay([False, True], 1)


def test_write_share_must_be_a_probability():
    with pytest.raises(ValueError, match="probability"):
        hit_ratio.Traffic(np.array([1]), write_share=1.5)


def test_windowed_ratio_per_full_window_drops_the_partial_one():
    reads, ratios = hit_ratio.windowed([False, False, True, True, True, True, False], window=2)
    assert reads.tolist() == [2, 4, 6]
    assert ratios.tolist() == [0.0, 1.0, 1.0]


@pytest.mark.parametrize("hits, window, message", [([True], 0, "at least one"),
                                                   ([True, False], 3, "do not fill one window")])
def test_windowed_refuses_what_it_cannot_compute(hits, window, message):
    with pytest.raises(ValueError, match=message):
        hit_ratio.windowed(hits, window)


def test_overall_is_hits_over_reads():
    assert hit_ratio.overall([True, False, True, True]) == 0.75
    with pytest.raises(ValueError, match="no reads"):
        hit_ratio.overall([])
