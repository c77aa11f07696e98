import pytest

from labkit.cache.eviction.eviction_shards import ShardRouter, shard_index


def test_keys_spread_over_every_shard_and_always_land_on_the_same_one():
    keys = [f"lab12:key:{i}" for i in range(2000)]
    first = [shard_index(k, 2) for k in keys]
    assert first == [shard_index(k, 2) for k in keys]
    assert 0.4 < first.count(0) / len(keys) < 0.6
    assert {shard_index(k, 3) for k in keys} == {0, 1, 2}
    assert {shard_index(k, 1) for k in keys} == {0}


def test_hash_tags_keep_related_keys_together():
    assert len({shard_index(f"{{user:7}}:{part}", 4) for part in ("cart", "profile", "feed")}) == 1


def test_split_groups_by_shard_in_the_given_order():
    router = ShardRouter(["client a", "client b"])
    keys = [f"k{i}" for i in range(50)]
    groups = router.split(keys)
    assert sorted(k for group in groups.values() for k in group) == sorted(keys)
    for index, group in groups.items():
        assert group == [k for k in keys if shard_index(k, 2) == index]


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="at least one shard"):
        shard_index("k", 0)
    with pytest.raises(ValueError, match="at least one Redis client"):
        ShardRouter([])
