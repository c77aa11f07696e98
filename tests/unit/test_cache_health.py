import pytest
import redis

from labkit.cache import health


def test_a_node_that_does_not_answer_is_a_problem_to_wait_out_not_a_crash(monkeypatch):
    def down():
        raise redis.ConnectionError("Connection refused")
    monkeypatch.setattr(health, "primary_node", down)
    assert health.problems() == ["a cache server does not answer as expected yet: Connection refused"]


def test_heal_names_what_stayed_wrong_and_the_command_that_restarts_it(monkeypatch):
    monkeypatch.setattr(health.cloud, "up", lambda echo: [])
    monkeypatch.setattr(health.standalone, "stop", lambda: None)
    monkeypatch.setattr(health, "problems", lambda: ["redis-node2 does not replicate from redis-node1 yet"])
    with pytest.raises(health.CacheUnhealthy, match=r"redis-node2 does not replicate.*\./course up"):
        health.heal(timeout=0.3)
