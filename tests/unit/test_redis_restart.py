import pytest

from labkit.cache import standalone
from labkit.cache.engines import redis_restart


@pytest.mark.parametrize("call", [redis_restart.crash, standalone.restart])
def test_only_standalone_nodes_can_be_crashed_or_restarted(call):
    with pytest.raises(KeyError, match="not a standalone Redis"):
        call("redis-node1")


def test_restore_refuses_a_node_of_the_replicated_pair(tmp_path):
    with pytest.raises(KeyError, match="not a standalone Redis"):
        redis_restart.restore(tmp_path / "dump.rdb", "redis-node2")
