"""The MemoryDB labs' own Redis pair: its configuration, and how the stage reads Sentinel's view."""
import pytest

from labkit.endpoints import ENDPOINTS, ServiceUnavailable
from labkit.memorydb import pair
from labkit.services import BY_NAME
from labkit.services.redis import CACHE, MEMORYDB, empty


def _conf(state_home, name, file):
    BY_NAME[name].prepare()
    return (state_home / name / file).read_text().splitlines()


def test_the_memorydb_nodes_take_no_timed_snapshots_and_the_second_replicates_the_first(state_home):
    lines = _conf(state_home, "memorydb-node2", "redis.conf")
    host, port = ENDPOINTS["memorydb-node1"].address
    assert f"port {ENDPOINTS['memorydb-node2'].bound_port}" in lines
    assert {'save ""', "appendonly no", "enable-debug-command local", f"replicaof {host} {port}"} <= set(lines)
    assert not any(l.startswith("replicaof") for l in _conf(state_home, "memorydb-node1", "redis.conf"))


def test_the_memorydb_sentinels_watch_their_own_pair_under_their_own_name(state_home):
    lines = _conf(state_home, "memorydb-sentinel1", "sentinel.conf")
    host, port = ENDPOINTS["memorydb-node1"].address
    assert f"sentinel monitor memorydb {host} {port} 2" in lines
    assert "sentinel down-after-milliseconds memorydb 1500" in lines
    assert "sentinel failover-timeout memorydb 3000" in lines
    peers = [l for l in lines if l.startswith("sentinel known-sentinel memorydb")]
    assert sorted(int(l.split()[4]) for l in peers) == [ENDPOINTS[f"memorydb-sentinel{i}"].bound_port for i in (2, 3)]
    assert not any("cache" in l or str(ENDPOINTS["redis-node1"].bound_port) in l for l in lines)


def test_the_shared_pair_keeps_its_own_settings(state_home):
    lines = _conf(state_home, "redis-node2", "redis.conf")
    assert not any(s in lines for s in MEMORYDB.settings)
    sentinel = _conf(state_home, "redis-sentinel1", "sentinel.conf")
    assert "sentinel down-after-milliseconds cache 1000" in sentinel and "sentinel failover-timeout cache 10000" in sentinel
    assert CACHE.nodes == ("redis-node1", "redis-node2") and MEMORYDB.master == "memorydb"


def test_the_memorydb_daemons_are_started_on_demand_only():
    assert all(BY_NAME[n].optional and ENDPOINTS[n].on_demand for n in MEMORYDB.nodes + MEMORYDB.sentinels)
    assert [d.name for d in pair.daemons()] == [*MEMORYDB.nodes, *MEMORYDB.sentinels]


def test_empty_removes_files_and_folders(tmp_path):
    (tmp_path / "appendonlydir").mkdir()
    (tmp_path / "appendonlydir" / "x.aof").write_text("SET")
    (tmp_path / "dump.rdb").write_text("REDIS")
    empty(tmp_path)
    assert list(tmp_path.iterdir()) == []


def _view(name, run_id, **flags):
    host, port = ENDPOINTS[name].address
    return {"ip": host, "port": port, "runid": run_id, "is_sdown": False, "is_disconnected": False, **flags}


@pytest.mark.parametrize("view, checked", [
    (_view("memorydb-node2", "new"), True),
    (_view("memorydb-node2", "old"), False),  # the process that was replaced
    (_view("memorydb-node2", ""), False),  # not asked yet since the failover
    (_view("memorydb-node2", "new", is_sdown=True), False),
    (_view("memorydb-node2", "new", is_disconnected=True), False),
    (_view("memorydb-node1", "new"), False),  # another node
])
def test_a_replica_counts_only_once_every_sentinel_has_seen_the_process_that_runs_now(view, checked):
    assert pair._checked([view], "memorydb-node2", "new") is checked


def test_the_stage_refuses_a_node_of_the_shared_pair():
    with pytest.raises(KeyError, match="not a node of the MemoryDB pair"):
        pair.node("redis-node1")
    assert pair.other("memorydb-node1") == "memorydb-node2"


def test_the_pair_says_it_is_labkits_own_beside_external_servers_and_refuses_addresses_it_does_not_own(
        monkeypatch, capsys):
    monkeypatch.setattr(pair.external, "is_external", lambda name: True)
    with pytest.raises(ServiceUnavailable, match="point LABKIT_MEMORYDB_SENTINEL1 and the other"):
        pair.start()
    monkeypatch.setattr(pair.external, "is_external", lambda name: False)
    monkeypatch.setattr(pair.external, "outside", lambda: {"redis-primary"})
    monkeypatch.setattr(pair, "stop", lambda: (_ for _ in ()).throw(RuntimeError("stop reached")))
    with pytest.raises(RuntimeError, match="stop reached"):
        pair.start()
    said = capsys.readouterr().out
    assert said.strip() == pair.OWN_PAIR and "aws memorydb failover-shard" in said
