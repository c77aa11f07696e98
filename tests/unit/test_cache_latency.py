"""Timing repeated calls."""
import pytest

from labkit.cache import latency


def test_one_sample_per_call():
    calls = []
    seconds = latency.sample(lambda: calls.append(1), repeat=7)
    assert len(seconds) == len(calls) == 7
    assert all(s >= 0 for s in seconds)


def test_repeat_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        latency.sample(lambda: None, repeat=0)
