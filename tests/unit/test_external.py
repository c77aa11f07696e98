"""Which servers labkit did not start: decided per AWS resource, at its client endpoint."""
import pytest

from labkit import cloud, external
from labkit.endpoints import ENDPOINTS
from labkit.services import BY_NAME, DAEMONS

REDIS_PONG = {"reply": b"+PONG\r\n"}


@pytest.mark.parametrize("name, anchor", [
    ("pg-writer", "pg-writer"), ("pg-node2", "pg-writer"), ("patroni1", "pg-writer"), ("etcd", "pg-writer"),
    ("pg-proxy", "pg-writer"), ("mysql-restore", "mysql-writer"), ("redis-sentinel3", "redis-primary"),
    ("redis-standalone1", "redis-primary"), ("memcached2", "memcached2"),
    ("haproxy-admin", None), ("web-app1", None),
])
def test_every_endpoint_belongs_to_the_resource_it_serves(name, anchor):
    assert external.anchor(name) == anchor


def test_each_anchor_is_served_by_the_daemon_named_for_it():
    for anchor, (owner, _) in external.GROUPS.items():
        assert anchor in BY_NAME[owner].binds, anchor


def test_another_host_is_external_with_everything_of_its_group(monkeypatch):
    monkeypatch.setenv("LABKIT_PG_WRITER", "mycluster.cluster-abc.eu-west-1.rds.amazonaws.com:5432")
    assert external.is_external("pg-writer") and external.is_external("pg-node3")
    assert external.is_external("etcd") and not external.is_external("haproxy-admin")


def test_a_local_port_is_external_when_a_server_of_the_right_kind_answers(probes, monkeypatch, fake_server,
                                                                          closed_port):
    monkeypatch.setattr(external.procs, "listening", lambda name, port: False)
    monkeypatch.setenv("LABKIT_REDIS_PRIMARY", f"127.0.0.1:{fake_server(**REDIS_PONG)}")
    monkeypatch.setenv("LABKIT_MEMCACHED1", f"127.0.0.1:{fake_server(**REDIS_PONG)}")  # not memcached
    monkeypatch.setenv("LABKIT_MEMCACHED2", f"127.0.0.1:{closed_port}")  # free: labkit's to fill
    assert external.is_external("redis-node1")
    assert not external.is_external("memcached1") and not external.is_external("memcached2")


def test_a_port_labkit_s_own_daemon_listens_on_is_not_external(probes, monkeypatch, fake_server):
    monkeypatch.setenv("LABKIT_REDIS_PRIMARY", f"127.0.0.1:{fake_server(**REDIS_PONG)}")
    monkeypatch.setattr(external.procs, "listening", lambda name, port: name == "haproxy")
    assert not external.is_external("redis-primary")


def test_a_daemon_is_left_alone_only_when_all_it_serves_is_external():
    haproxy = BY_NAME["haproxy"]
    assert not cloud.left_alone(haproxy, {"pg-writer"})  # it still serves redis-primary
    assert cloud.left_alone(haproxy, {"pg-writer", "redis-primary"})
    assert cloud.left_alone(BY_NAME["etcd"], {"pg-writer"})
    assert {d.name for d in DAEMONS if cloud.left_alone(d, set(external.GROUPS))} == {d.name for d in DAEMONS}


def test_an_external_group_offers_the_endpoints_the_environment_names(monkeypatch):
    monkeypatch.setenv("LABKIT_PG_WRITER", "writer.example.com:5432")
    monkeypatch.setenv("LABKIT_PG_NODE2", "replica.example.com:5432")
    assert external.provided("pg-writer") == ["pg-writer", "pg-node2"]
    assert external.describe("pg-node2") == (f"pg-writer at writer.example.com:5432 "
                                             f"({ENDPOINTS['pg-writer'].aws_role})")


def test_a_group_at_the_course_s_own_addresses_offers_what_answers_there(monkeypatch):
    monkeypatch.setattr(external.kinds, "answers", lambda address, kind: address[1] != ENDPOINTS["pg-node3"].bound_port)
    assert "pg-node3" not in external.provided("pg-writer")
    assert {"pg-writer", "pg-reader", "pg-node1", "pg-node2", "pg-proxy"} <= set(external.provided("pg-writer"))
    assert "pg-node4" not in external.provided("pg-writer"), "a node a lab adds is not offered"
