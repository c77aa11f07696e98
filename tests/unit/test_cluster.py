import dataclasses

import pytest

from labkit import cluster
from labkit.instances import Node


def test_a_cluster_nobody_started_is_reported_at_once(monkeypatch):
    monkeypatch.setattr(cluster, "pg_members", lambda: {})
    monkeypatch.setattr(cluster, "NO_AGENT_GRACE", 0.3)
    with pytest.raises(cluster.ClusterUnhealthy, match=r"no node .* answers: start the local cloud with `\./course up`"):
        cluster.wait_healthy(timeout=60)


def _nodes(*readers):
    return [Node("pg-node1", "writer", "running", None), *readers]


def test_a_reader_that_runs_but_does_not_stream_is_not_ready_to_take_over(monkeypatch):
    monkeypatch.setattr(cluster, "topology", lambda: _nodes(
        Node("pg-node2", "reader", "running", 0)))
    assert not cluster.healthy()


def _routing(monkeypatch, writer={"pg-node1"}, readers={"pg-node2"}):
    monkeypatch.setattr(cluster, "routes", lambda: {"pg-writer": writer, "pg-reader": readers})


def test_a_reader_too_far_behind_for_failover_streams_but_has_not_caught_up(monkeypatch):
    far = Node("pg-node2", "reader", "streaming", 32 << 20)
    monkeypatch.setattr(cluster, "topology", lambda: _nodes(far))
    _routing(monkeypatch)
    assert cluster.healthy() and not cluster.healthy(max_lag_bytes=1 << 20)
    monkeypatch.setattr(cluster, "topology", lambda: _nodes(dataclasses.replace(far, lag_bytes=0)))
    assert cluster.healthy(max_lag_bytes=1 << 20)


@pytest.mark.parametrize("writer, readers", [
    ({"pg-node1", "pg-node2"}, {"pg-node2"}),   # the old writer still routed, as just after a failover
    ({"pg-node1"}, set()),                       # a reader Patroni lists that HAProxy has not checked yet
    ({"pg-node1"}, {"pg-node2", "pg-node4"}),    # a removed reader still routed
])
def test_a_cluster_whose_endpoints_do_not_follow_patroni_yet_is_not_healthy(monkeypatch, writer, readers):
    monkeypatch.setattr(cluster, "topology", lambda: _nodes(
        Node("pg-node2", "reader", "streaming", 0)))
    _routing(monkeypatch, writer, readers)
    assert not cluster.healthy()
    _routing(monkeypatch)
    assert cluster.healthy()


def test_the_instance_endpoints_are_the_nodes_that_run(monkeypatch):
    down = Node("pg-node4", "down", "stopped", None)
    monkeypatch.setattr(cluster, "topology", lambda: _nodes(
        Node("pg-node2", "reader", "streaming", 0), down))
    assert cluster.instance_endpoints() == ["pg-node1", "pg-node2"]
