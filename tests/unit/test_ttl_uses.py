from unittest import mock

import pytest

from labkit.cache.eviction import ttl_uses


def fake_client(kind: str, size: int, ttl: int) -> mock.MagicMock:
    client = mock.MagicMock()
    client.type.return_value = kind
    client.zcard.return_value = client.llen.return_value = size
    client.ttl.return_value = ttl
    return client


def test_a_leaderboard_gets_its_ttl_only_when_it_is_created():
    client = fake_client("zset", 2, 86_400)
    shown = ttl_uses.daily_leaderboard(client, "lab12:", "2026-11-27", {"ana": 3, "bo": 1})
    pipe = client.pipeline.return_value
    assert pipe.zincrby.call_args_list == [mock.call("lab12:leaderboard:2026-11-27", 3, "ana"),
                                           mock.call("lab12:leaderboard:2026-11-27", 1, "bo")]
    pipe.expire.assert_called_once_with("lab12:leaderboard:2026-11-27", ttl_uses.DAY, nx=True)
    assert shown == {"key": "lab12:leaderboard:2026-11-27", "type": "zset", "items": 2, "ttl_s": 86_400}
    with pytest.raises(ValueError, match="no score"):
        ttl_uses.daily_leaderboard(client, "lab12:", "2026-11-27", {})


def test_comments_expire_after_minutes_and_a_stream_renews_its_ttl_on_every_event():
    client = fake_client("string", 1, 300)
    assert ttl_uses.cached_comments(client, "lab12:", 42, ["hi"])["items"] == 1
    client.set.assert_called_once_with("lab12:comments:42", '["hi"]', ex=ttl_uses.COMMENTS_TTL)
    client = fake_client("list", 1, ttl_uses.STREAM_TTL)
    ttl_uses.record_activity(client, "lab12:", "ana", "liked", keep=10)
    pipe = client.pipeline.return_value
    pipe.ltrim.assert_called_once_with("lab12:activity:ana", 0, 9)
    pipe.expire.assert_called_once_with("lab12:activity:ana", ttl_uses.STREAM_TTL)


def test_describe_names_a_type_it_does_not_know():
    with pytest.raises(KeyError, match="hash"):
        ttl_uses.describe(fake_client("hash", 0, -1), "lab12:profile")
