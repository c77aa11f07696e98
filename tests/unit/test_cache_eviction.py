"""Filling a node under each maxmemory-policy, with a stand-in node that holds a fixed number of keys."""
import pytest
import redis
from cache_fakes import Pipeline

from labkit.cache.eviction import policy_demo


class Node:
    """Room for ``room`` keys; evicts the oldest key the policy allows, else refuses as Redis does."""

    def __init__(self, room):
        self.room, self.keys, self.evicted, self.policy = room, {}, 0, "noeviction"

    def set(self, key, value, px=None):
        if len(self.keys) >= self.room:
            candidates = [k for k, ttl in self.keys.items()
                          if self.policy.startswith("allkeys") or (self.policy.startswith("volatile") and ttl)]
            if not candidates:
                raise redis.exceptions.OutOfMemoryError("command not allowed when used memory > 'maxmemory'.")
            del self.keys[candidates[0]]
            self.evicted += 1
        self.keys[key] = px
        return True

    def pipeline(self, transaction=True):
        return Pipeline(self)

    def info(self, section):
        return {"evicted_keys": self.evicted}

    def config_get(self, name):
        return {name: self.policy}

    def config_set(self, name, value):
        self.policy = value

    def flushall(self):
        self.keys.clear()

    def scan_iter(self, match, count):
        return (k for k in list(self.keys) if k.startswith(match.rstrip("*")))


def test_allkeys_lru_accepts_every_write_and_evicts():
    fill = policy_demo.try_policy(Node(room=30), "allkeys-lru", "t:", keys=100)
    assert (fill.written, fill.evicted, fill.kept, fill.refused) == (100, 70, 30, None)


@pytest.mark.parametrize("policy", ["noeviction", "volatile-lru"])
def test_a_policy_with_nothing_to_evict_refuses_with_oom(policy):
    fill = policy_demo.try_policy(Node(room=30), policy, "t:", keys=100)
    assert fill.written == 30 and fill.evicted == 0
    assert fill.refused.startswith("OutOfMemoryError: command not allowed")


def test_volatile_lru_evicts_keys_that_have_a_ttl():
    fill = policy_demo.try_policy(Node(room=30), "volatile-lru", "t:", keys=100, ttl=60)
    assert fill.written == 100 and fill.evicted == 70 and fill.refused is None


def test_table_has_one_row_per_fill():
    node = Node(room=5)
    fills = [policy_demo.try_policy(node, p, "t:", keys=10) for p in ("allkeys-lru", "noeviction")]
    lines = policy_demo.table(fills).splitlines()
    assert len(lines) == 4 and "`noeviction`" in lines[3] and "5 of 10" in lines[3]


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="end with ':'"):
        policy_demo.fill(Node(room=1), "t", keys=1)
    with pytest.raises(ValueError, match="positive"):
        policy_demo.fill(Node(room=1), "t:", keys=0)
