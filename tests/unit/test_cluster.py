import pytest

from labkit import cluster


def test_a_cluster_nobody_started_is_reported_at_once(monkeypatch):
    monkeypatch.setattr(cluster, "pg_members", lambda: {})
    monkeypatch.setattr(cluster, "NO_AGENT_GRACE", 0.3)
    with pytest.raises(cluster.ClusterUnhealthy, match=r"no node .* answers: start the local cloud with `\./course up`"):
        cluster.wait_healthy(timeout=60)
