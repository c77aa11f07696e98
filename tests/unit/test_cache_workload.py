import numpy as np
import pytest

from labkit.cache import workload


def test_zipf_keys_stay_in_range_and_a_few_keys_take_most_requests():
    keys = workload.zipf(10_000, 20_000, s=1.1, seed=1)
    assert keys.min() >= 1 and keys.max() <= 10_000
    assert workload.top_share(keys, 0.1) > 0.6


def test_uniform_keys_spread_evenly():
    keys = workload.uniform(10_000, 20_000, seed=1)
    assert keys.min() >= 1 and keys.max() <= 10_000
    assert workload.top_share(keys, 0.1) < 0.25


def test_same_seed_same_keys():
    assert np.array_equal(workload.zipf(100, 50, seed=3), workload.zipf(100, 50, seed=3))


@pytest.mark.parametrize("args", [(0, 10), (10, -1)])
def test_bad_sizes_are_refused(args):
    with pytest.raises(ValueError, match="need n_keys"):
        workload.zipf(*args)
    with pytest.raises(ValueError, match="need n_keys"):
        workload.uniform(*args)
