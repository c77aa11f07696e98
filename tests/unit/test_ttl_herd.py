import numpy as np
import pytest
from cache_fakes import FakeRedis

from labkit.cache.eviction import ttl_herd


def test_expiry_spreads_by_at_most_the_jitter():
    rng = np.random.default_rng(1)
    assert ttl_herd.expiry_ms(2.0, 0.0, rng, 5) == [2000] * 5
    spread = ttl_herd.expiry_ms(2.0, 0.25, rng, 1000)
    assert min(spread) >= 1500 and max(spread) <= 2500 and len(set(spread)) > 100
    with pytest.raises(ValueError, match="jitter"):
        ttl_herd.expiry_ms(1.0, 1.0, rng, 1)


def test_same_ttl_misses_come_at_once_and_jitter_spreads_them():
    options = dict(keys=200, ttl=0.2, duration=0.4, bucket=0.05, sweep_every=0.01)
    herds = ttl_herd.compare(FakeRedis(), jitters=(0.0, 0.5), **options)
    same, spread = herds["same TTL"], herds["±50% jitter"]
    assert same.peak == 200 and same.loads >= 200
    assert spread.peak < same.peak and spread.loads >= 200
    assert len(same.misses) == 8 and same.times()[:2] == [0.0, 0.05]


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="bucket"):
        ttl_herd.run(FakeRedis(), 0.0, bucket=0)
