"""The notes' TTL use cases, each written with a TTL that matches how long the data stays useful.

- A daily leaderboard: a sorted set that expires a day after it was started, so yesterday's
  board cleans itself up.
- A post's comments, cached for a few minutes: readers accept comments that are minutes old, and
  the database is asked again at most once per TTL.
- A user's activity stream: newest first, trimmed to its last events, and its TTL renewed on
  every event (a sliding TTL), so only inactive users' streams expire.
"""
from __future__ import annotations

import json

import redis

DAY = 86_400
COMMENTS_TTL = 300
STREAM_TTL = 7 * DAY
STREAM_LENGTH = 100


def describe(client: redis.Redis, key: str) -> dict[str, object]:
    """The key's type, its number of items and its remaining TTL in seconds (-1: no TTL)."""
    kind = client.type(key)
    sizes = {"zset": client.zcard, "list": client.llen, "string": lambda k: 1}
    if kind not in sizes:
        raise KeyError(f"{key} is a {kind}, not one of the types these examples write")
    return {"key": key, "type": kind, "items": sizes[kind](key), "ttl_s": client.ttl(key)}


def daily_leaderboard(client: redis.Redis, prefix: str, day: str, scores: dict[str, int],
                      ttl: int = DAY) -> dict[str, object]:
    """Add scores to the board of ``day``; its TTL is set once, when the board is created
    (``EXPIRE ... NX``), so later scores do not push its end back."""
    if not scores:
        raise ValueError("no score to add")
    key = f"{prefix}leaderboard:{day}"
    pipe = client.pipeline()
    for player, points in scores.items():
        pipe.zincrby(key, points, player)
    pipe.expire(key, ttl, nx=True)
    pipe.execute()
    return describe(client, key)


def cached_comments(client: redis.Redis, prefix: str, post_id: int, comments: list[str],
                    ttl: int = COMMENTS_TTL) -> dict[str, object]:
    """Cache a post's comments, as read from the database, for ``ttl`` seconds."""
    key = f"{prefix}comments:{post_id}"
    client.set(key, json.dumps(comments), ex=ttl)
    return describe(client, key)


def record_activity(client: redis.Redis, prefix: str, user: str, event: str, keep: int = STREAM_LENGTH,
                    ttl: int = STREAM_TTL) -> dict[str, object]:
    """Push ``event`` on the user's stream, keep its last ``keep`` events, renew its TTL."""
    key = f"{prefix}activity:{user}"
    pipe = client.pipeline()
    pipe.lpush(key, event)
    pipe.ltrim(key, 0, keep - 1)
    pipe.expire(key, ttl)
    pipe.execute()
    return describe(client, key)
