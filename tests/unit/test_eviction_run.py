import contextlib

import pytest
import redis
from cache_fakes import Pipeline

from labkit.cache.eviction import eviction_run
from labkit.cache.eviction.eviction_run import Workload


class BoundedRedis:
    """Holds ``capacity`` keys; full, it evicts the oldest key or, with evict=False, refuses the SET."""

    def __init__(self, capacity: int, evict: bool):
        self.data, self.capacity, self.evict, self.evicted = {}, capacity, evict, 0
        self.ttls: dict[str, int | None] = {}

    def mget(self, keys):
        return [self.data.get(k) for k in keys]

    def set(self, key, value, px=None):
        if key not in self.data and len(self.data) >= self.capacity:
            if not self.evict:
                raise redis.OutOfMemoryError("command not allowed when used memory > 'maxmemory'.")
            del self.data[next(iter(self.data))]
            self.evicted += 1
        self.data[key], self.ttls[key] = value, px
        return True

    def info(self, section):
        return {"evicted_keys": self.evicted, "expired_keys": 0, "used_memory": 100 * len(self.data),
                "maxmemory": 100 * self.capacity}

    def pipeline(self, transaction=True):
        return Pipeline(self)


def fake_run(monkeypatch, workload, capacity=50, evict=True) -> tuple[eviction_run.Run, BoundedRedis]:
    node = BoundedRedis(capacity, evict)
    monkeypatch.setattr(eviction_run, "fresh_nodes", lambda w: contextlib.nullcontext([node]))
    return eviction_run.run(workload), node


def test_a_bad_workload_names_every_problem():
    with pytest.raises(ValueError) as error:
        Workload(policy="lru", shards=3, ttl_share=1.5, ttl_range=(2, 1))
    for word in ("policy", "shards", "ttl_share", "ttl_range"):
        assert word in str(error.value)


def test_ttl_share_decides_which_keys_get_a_ttl_within_the_range():
    ttl = Workload(keys=10_000, ttl_share=0.3, ttl_range=(0.5, 2.0)).ttl_ms()[1:]
    with_ttl = ttl[ttl > 0]
    assert 0.27 < len(with_ttl) / len(ttl) < 0.33
    assert with_ttl.min() >= 500 and with_ttl.max() <= 2000
    assert not Workload(ttl_share=0).ttl_ms().any()


def test_tally_counts_a_repeat_as_a_hit_only_if_the_key_was_stored():
    keys = ["a", "b", "a", "c", "b"]
    found = [False, False, False, True, False]
    assert eviction_run.tally(keys, found, {"a": True, "b": False}) == (2, 3)


def test_an_evicting_cache_serves_hits_and_counts_evictions(monkeypatch):
    result, node = fake_run(monkeypatch, Workload(keys=500, requests=3000, duration=0.05, ttl_share=0.5))
    last = result.last
    assert last.requests == 3000 and last.hits + last.misses == 3000
    assert last.evicted == node.evicted > 0 and last.failed_writes == 0
    assert 0 < result.hit_ratio() < 1 and result.peak_memory() == 100 * 50
    assert [s.t for s in result.samples] == sorted(s.t for s in result.samples)
    assert any(px for px in node.ttls.values()) and not all(node.ttls.values())


def test_a_full_noeviction_cache_refuses_writes_and_keeps_serving_reads(monkeypatch):
    result, node = fake_run(monkeypatch, Workload(policy="noeviction", keys=500, requests=3000, duration=0.05),
                            evict=False)
    assert result.last.failed_writes > 0 and result.last.evicted == 0 and len(node.data) == 50
    assert result.last.hits > 0


def test_other_errors_are_not_taken_for_a_full_cache():
    class Broken(BoundedRedis):
        def set(self, key, value, px=None):
            raise redis.ResponseError("WRONGTYPE")

    router = eviction_run.ShardRouter([Broken(10, True)])
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        eviction_run.read_through(router, ["k"], {"k": 0}, "v")


def test_summary_table_has_a_row_per_run(monkeypatch):
    result, _ = fake_run(monkeypatch, Workload(keys=100, requests=500, duration=0.01))
    table = eviction_run.summary_table({"first": result, "second": result})
    assert table.count("\n") == 3 and "| first |" in table and "failed writes" in table
    assert result.hit_ratio(since=0.5) >= 0
    with pytest.raises(ValueError, match="no run"):
        eviction_run.summary_table({})


def test_compare_reuses_a_run_of_the_same_workload(monkeypatch):
    made = []
    monkeypatch.setattr(eviction_run, "run", lambda w, prefix: made.append(w) or f"run of {w.policy}")
    earlier = eviction_run.Run(Workload(policy="allkeys-lru"))
    runs = eviction_run.compare({p: Workload(policy=p) for p in ("noeviction", "allkeys-lru")}, reuse=(earlier,))
    assert runs == {"noeviction": "run of noeviction", "allkeys-lru": earlier}
    assert [w.policy for w in made] == ["noeviction"]
