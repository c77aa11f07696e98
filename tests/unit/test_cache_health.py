import pytest
import redis

from labkit.cache import health
from labkit.services import redis as redis_svc


def test_a_node_that_does_not_answer_is_a_problem_to_wait_out_not_a_crash(monkeypatch):
    def down():
        raise redis.ConnectionError("Connection refused")
    monkeypatch.setattr(health, "primary_node", down)
    assert health.problems() == ["a cache server does not answer as expected yet: Connection refused"]


def test_heal_names_what_stayed_wrong_and_the_command_that_restarts_it(monkeypatch):
    monkeypatch.setattr(health.cloud, "up", lambda echo: [])
    monkeypatch.setattr(health.standalone, "stop", lambda: None)
    monkeypatch.setattr(health, "check_logins", lambda: None)  # no server here to log in to
    monkeypatch.setattr(health, "problems", lambda: ["redis-node2 does not replicate from redis-node1 yet"])
    with pytest.raises(health.CacheUnhealthy, match=r"redis-node2 does not replicate.*\./course up"):
        health.heal(timeout=0.3)


def test_a_redis_labkit_did_not_start_is_only_asked_whether_it_answers(monkeypatch):
    monkeypatch.setattr(health.external, "is_external", lambda name: True)
    monkeypatch.setattr(health, "primary_node", lambda: pytest.fail("asked its Sentinels"))
    monkeypatch.setattr(health.kinds, "answers", lambda address, kind: True)
    assert health.problems() == []
    monkeypatch.setattr(health.kinds, "answers", lambda address, kind: False)
    assert health.problems() == [f"{health.external.describe('redis-primary')} does not answer as Redis"]


SETTLED = {"num-other-sentinels": 2, "num-slaves": 1, "is_odown": False, "is_sdown": False,
           "flags": "master"}


@pytest.mark.parametrize("change, expected", [
    ({}, []),
    ({"num-other-sentinels": 1}, ["does not see all its peers and replicas yet"]),
    ({"num-slaves": 0}, ["does not see all its peers and replicas yet"]),
    ({"is_sdown": True}, ["still reports a failure or failover"]),
    ({"flags": "master,failover_in_progress"}, ["still reports a failure or failover"]),
])
def test_a_sentinel_is_settled_when_it_sees_everyone_and_no_failover(change, expected):
    assert redis_svc.sentinel_unsettled(SETTLED | change) == expected


@pytest.mark.parametrize("info, expected", [
    ({"role": "slave", "master_link_status": "up"}, True),
    ({"role": "slave", "master_link_status": "down"}, False),
    ({"role": "master"}, False),
])
def test_a_node_replicates_when_its_link_to_the_primary_is_up(info, expected):
    assert redis_svc.replicating(info) is expected


def test_the_node_sentinel_names_is_found_by_address_or_by_port():
    port = redis_svc.ENDPOINTS["redis-node2"].bound_port
    assert redis_svc.node_at(redis_svc.ENDPOINTS["redis-node2"].address) == "redis-node2"
    assert redis_svc.node_at(("127.0.0.1", port)) == "redis-node2"
    assert redis_svc.node_at(("127.0.0.1", 1)) is None
