"""Finding which memcached node holds each key, with stand-in nodes."""
import pytest

from labkit.cache.engines import sharding


class Node:
    def __init__(self, keys):
        self.keys = set(keys)

    def get_many(self, keys):
        return {k: b"v" for k in keys if k in self.keys}


NODES = {"m1": Node({"a", "c"}), "m2": Node({"b"})}


def test_each_node_lists_the_keys_it_holds_in_the_order_asked():
    found = sharding.placement(["c", "b", "a", "missing"], nodes=("m1", "m2"), connect=NODES.get)
    assert found == {"m1": ["c", "a"], "m2": ["b"]}


def test_no_keys_is_refused():
    with pytest.raises(ValueError, match="at least one key"):
        sharding.placement([], nodes=("m1",), connect=NODES.get)
