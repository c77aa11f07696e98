from collections import Counter

import pytest

from labkit.cache.engines import memcached_sharding as ms


class DictCache:
    def __init__(self, data):
        self.data, self.sets = dict(data), []

    def get(self, key):
        return self.data.get(key)

    def set(self, key, value, noreply=True):
        self.sets.append(key)
        self.data[key] = value


def test_keys_are_under_the_prefix():
    assert ms.keys("lab11:", 3) == ["lab11:item:0", "lab11:item:1", "lab11:item:2"]
    with pytest.raises(ValueError, match="at least one key"):
        ms.keys("lab11:", 0)


def get_item(mc, key):
    """The page's cache-aside read: a miss is loaded and set again."""
    value = mc.get(key)
    if value is None:
        value = b"from the database"
        mc.set(key, value)
    return value


def test_hit_ratio_counts_the_reads_the_cache_answered():
    cache = DictCache({"a": b"1", "b": b"2"})
    assert ms.hit_ratio(cache, ["a", "b", "c", "d"], read=get_item) == 0.5
    assert cache.sets == ["c", "d"]
    assert ms.hit_ratio(cache, ["a", "b", "c", "d"], read=get_item) == 1.0
    assert ms.hit_ratio(cache, ["a", "e"], read=lambda mc, key: None) == 0.0


def test_node_loss_refuses_an_unknown_node():
    with pytest.raises(KeyError, match="not a memcached node"):
        ms.node_loss("lab11:", connect=None, read=get_item, lose="redis-node1")


def test_table_lists_every_phase():
    result = ms.NodeLoss("memcached2", 10, {"memcached1": 5, "memcached2": 5},
                         {"both nodes up": 1.0, "memcached2 stopped": 0.5},
                         {"memcached1": Counter({"memcached1": 5})})
    assert "| both nodes up | 100.0% |" in result.table()
    assert "| memcached2 stopped | 50.0% |" in result.table()


def test_rendezvous_hashing_moves_only_the_removed_nodes_keys():
    from pymemcache.client.hash import HashClient

    client = HashClient([("127.0.0.1", 1), ("127.0.0.1", 2)])
    names = ms.keys("t:", 500)
    before = {k: client.hasher.get_node(k) for k in names}
    client.hasher.remove_node("127.0.0.1:2")
    after = {k: client.hasher.get_node(k) for k in names}
    assert all(after[k] == before[k] for k in names if before[k] == "127.0.0.1:1")
    assert 150 < sum(before[k] == "127.0.0.1:2" for k in names) < 350
