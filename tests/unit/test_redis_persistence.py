import pytest

from labkit.cache.engines import redis_persistence as rp


class FakeRedis:
    def __init__(self, infos):
        self.infos = list(infos)

    def info(self, section):
        return self.infos.pop(0) if len(self.infos) > 1 else self.infos[0]


def test_settings_without_appendonly_are_refused_before_any_server_is_touched():
    with pytest.raises(KeyError, match="appendonly yes or no"):
        rp.crash_trial("RDB", {"save": "60 1"}, "lab11:", count=len)


def test_wait_for_aof_waits_for_the_first_rewrite():
    busy = {"aof_enabled": 1, "aof_rewrite_in_progress": 1, "aof_rewrite_scheduled": 0}
    done = {"aof_enabled": 1, "aof_rewrite_in_progress": 0, "aof_rewrite_scheduled": 0}
    client = FakeRedis([busy, busy, done])
    rp.wait_for_aof(client)
    assert client.infos == [done]
    with pytest.raises(TimeoutError, match="AOF rewrite"):
        rp.wait_for_aof(FakeRedis([busy]), timeout=0.1)


def test_trial_table_has_a_row_per_trial():
    table = rp.trial_table([rp.CrashTrial("no persistence", False, None, 10, 0, 0.2)])
    assert "| no persistence | 10 | 0 | 0.20 |" in table
