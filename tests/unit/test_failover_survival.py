import pytest

from labkit.cache.engines import failover_survival


def test_needs_at_least_one_key_before_touching_a_server():
    with pytest.raises(ValueError, match="at least one key"):
        failover_survival.crash_and_read_back("lab11:", write=None, read=None, n=0)
