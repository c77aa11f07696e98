import random

import pytest
from cache_fakes import FakeRedis

from labkit.cache.eviction import ttl_herd


def store_with_ttl(cache, keys, ttl_s, jitter):
    """Lab 12's shape: one pipeline of SET ... PX, each TTL spread by up to ±jitter."""
    pipe = cache.pipeline(transaction=False)
    for key in keys:
        pipe.set(key, "loaded", px=round(ttl_s * random.uniform(1 - jitter, 1 + jitter) * 1000))
    pipe.execute()


def test_same_ttl_misses_come_at_once_and_jitter_spreads_them():
    # Jittered keys expire over a whole second, so only a stall of most of it on a busy machine
    # could gather them into one sweep; the same TTL puts all 200 in one MGET whatever the load.
    options = dict(keys=200, ttl=1.0, duration=1.6, bucket=0.1, sweep_every=0.01)
    herds = ttl_herd.compare(FakeRedis(), store_with_ttl, jitters=(0.0, 0.5), **options)
    same, spread = herds["same TTL"], herds["±50% jitter"]
    assert same.peak == 200 and same.loads >= 200
    assert spread.peak < same.peak and spread.loads >= 200
    assert len(same.misses) == 16 and same.times()[:2] == [0.0, 0.1]


def test_a_store_that_sets_no_ttl_causes_no_loads():
    def forever(cache, keys, ttl_s, jitter):
        for key in keys:
            cache.set(key, "loaded")

    herd = ttl_herd.run(FakeRedis(), forever, 0.0, keys=10, duration=0.1, bucket=0.05, sweep_every=0.01)
    assert herd.loads == 0


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="bucket"):
        ttl_herd.run(FakeRedis(), store_with_ttl, 0.0, bucket=0)
    with pytest.raises(ValueError, match="jitter"):
        ttl_herd.run(FakeRedis(), store_with_ttl, 1.0)
