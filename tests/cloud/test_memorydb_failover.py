"""The MemoryDB labs' own Redis pair on real servers: a write confirmed by WAIT survives the loss of
the primary with its disk, the lost node is replaced, and the shared pair never moves."""
import pytest
import redis
from redis.sentinel import Sentinel

from labkit.cache import failover
from labkit.memorydb import durability, pair


def durable_set(r, key, value="v", timeout_ms=500):
    pipe = r.pipeline(transaction=False)
    pipe.set(key, value)
    pipe.wait(1, timeout_ms)
    _, replicas = pipe.execute()
    assert replicas == 1


def test_a_confirmed_write_survives_the_lost_primary_and_the_replacement_rejoins():
    shared_primary = failover.primary_node()
    with pair.running():
        assert pair.primary() == "memorydb-node1" and pair.problems() == []
        client = Sentinel(pair.sentinel_addresses(), socket_timeout=0.5).master_for("memorydb", socket_timeout=1)
        durable_set(client, "test:kept")
        loss = pair.lose_primary(cut_s=0.1)
        assert loss.node == "memorydb-node1" and loss.link_cut_at < loss.crashed_at
        assert not (pair.daemons()[0].folder / "dump.rdb").exists()
        new, waited = failover.wait_for_new_primary(loss.node, pair=pair.PAIR)
        assert new == "memorydb-node2" and waited < 30
        assert client.get("test:kept") == b"v"  # the Sentinel client found the new primary
        assert pair.replace(loss.node) < 30
        assert pair.node("memorydb-node1").role()[0] == "slave"
        assert pair.node("memorydb-node1").get("test:kept") == "v"  # synchronised from the new primary
        assert durability.missing(pair.node(new), ["test:kept", "test:never"]) == ["test:never"]
    assert not any(d.running() for d in pair.daemons())
    assert failover.primary_node() == shared_primary


def test_the_pair_is_stopped_when_the_block_fails_and_starts_empty_again():
    with pytest.raises(ZeroDivisionError), pair.running():
        pair.node(pair.primary()).set("test:left", "x")
        1 / 0
    assert not any(d.running() for d in pair.daemons())
    with pair.running():
        assert pair.node(pair.primary()).dbsize() == 0
        with pytest.raises(redis.ReadOnlyError):
            pair.node(pair.other(pair.primary())).set("test:x", "1")
