"""What Redis data structures do in one command, and what the same costs on Memcached.

A leaderboard fed by many concurrent score events is the classic case: Redis keeps it as a
sorted set and ``ZINCRBY`` updates it atomically on the server. Memcached stores opaque values,
so the client must read the whole board, change it and write it back, with ``cas`` to refuse a
write that raced another one and a retry loop around it; the retries are counted here.
A set (unique visitors) and a hash (a user profile) round the tour off.
"""
from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from labkit import tables


@dataclass(frozen=True)
class ScoreEvent:
    player: str
    points: int


def score_events(n: int, players: int = 20, seed: int = 11) -> list[ScoreEvent]:
    """``n`` score events over ``players`` players, deterministic for a seed."""
    if n < 1 or players < 2:
        raise ValueError(f"need at least one event and two players (got {n}, {players})")
    rng = random.Random(seed)
    weights = [1 / rank for rank in range(1, players + 1)]  # a few players score most
    names = [f"player{k:02d}" for k in range(1, players + 1)]
    return [ScoreEvent(p, rng.randint(1, 10)) for p in rng.choices(names, weights, k=n)]


def expected_board(events: list[ScoreEvent]) -> list[tuple[str, int]]:
    """The true totals, highest first (ties by name), computed without any cache."""
    totals: Counter[str] = Counter()
    for e in events:
        totals[e.player] += e.points
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


@dataclass
class BoardRun:
    """One leaderboard fed concurrently: its final order, the round trips and CAS retries it took."""

    engine: str
    threads: int
    events: int
    board: list[tuple[str, int]]
    round_trips: int
    retries: int
    seconds: float
    extra: dict = field(default_factory=dict)

    def matches(self, expected: list[tuple[str, int]]) -> bool:
        return self.board == expected


def _run_threads(events: list[ScoreEvent], threads: int, apply: Callable[[int, list[ScoreEvent]], tuple[int, int]]
                 ) -> tuple[int, int, float]:
    """Split ``events`` over ``threads`` workers; ``apply(worker, events)`` returns (round trips, retries)."""
    if threads < 1:
        raise ValueError(f"need at least one thread (got {threads})")
    totals = [(0, 0)] * threads
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            totals[k] = apply(k, events[k::threads])
        except Exception as exc:  # re-raised in the caller's thread below
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    t0 = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        raise errors[0]
    return sum(t[0] for t in totals), sum(t[1] for t in totals), time.perf_counter() - t0


def _ranked(board: dict[str, float]) -> list[tuple[str, int]]:
    return sorted(((p, int(s)) for p, s in board.items()), key=lambda item: (-item[1], item[0]))


def redis_leaderboard(connect: Callable, key: str, events: list[ScoreEvent], threads: int = 8) -> BoardRun:
    """Feed ``events`` with ZINCRBY from ``threads`` connections (``connect()`` opens one each)."""
    connect().delete(key)

    def apply(_k: int, mine: list[ScoreEvent]) -> tuple[int, int]:
        client = connect()
        for e in mine:
            client.zincrby(key, e.points, e.player)
        return len(mine), 0

    trips, retries, seconds = _run_threads(events, threads, apply)
    client = connect()
    board = _ranked(dict(client.zrevrange(key, 0, -1, withscores=True)))
    extra = {"top3": client.zrevrange(key, 0, 2, withscores=True),  # ZREVRANK: 0 = first place
             "rank": {p: client.zrevrank(key, p) for p in (board[0][0], board[-1][0])}}
    return BoardRun("Redis sorted set", threads, len(events), board, trips, retries, seconds, extra)


def memcached_leaderboard(connect: Callable, key: str, events: list[ScoreEvent], threads: int = 8,
                          max_retries: int = 1000) -> BoardRun:
    """Feed ``events`` as a JSON board in one Memcached value: gets, change, cas, retry on conflict."""
    connect().set(key, b"{}", noreply=False)

    def apply(_k: int, mine: list[ScoreEvent]) -> tuple[int, int]:
        client = connect()
        trips = retries = 0
        for e in mine:
            for _attempt in range(max_retries):
                raw, token = client.gets(key)
                board = json.loads(raw)
                board[e.player] = board.get(e.player, 0) + e.points
                trips += 2
                if client.cas(key, json.dumps(board).encode(), token, noreply=False):
                    break
                retries += 1  # another writer changed the board since our gets: read again
            else:
                raise RuntimeError(f"gave up on {key!r} after {max_retries} cas conflicts")
        return trips, retries

    trips, retries, seconds = _run_threads(events, threads, apply)
    board = _ranked(json.loads(connect().get(key)))
    return BoardRun("Memcached get + cas", threads, len(events), board, trips, retries, seconds)


def board_table(runs: list[BoardRun]) -> str:
    """A Markdown table: per engine, events, round trips, CAS retries, time and events/s."""
    return tables.markdown(
        ["engine", "threads", "score events", "round trips", "retries", "seconds", "events/s"],
        [[r.engine, r.threads, r.events, r.round_trips, r.retries, f"{r.seconds:.2f}",
          f"{r.events / r.seconds:,.0f}"] for r in runs],
        align="lrrrrrr")


def unique_visitors(client, prefix: str, days: dict[str, list[str]]) -> dict:
    """One set per day (SADD), its size (SCARD) and the visitors of every day (SINTER)."""
    keys = {day: f"{prefix}visitors:{day}" for day in days}
    client.delete(*keys.values())
    for day, visitors in days.items():
        client.sadd(keys[day], *visitors)
    return {"visits": {d: len(v) for d, v in days.items()},
            "unique": {d: client.scard(k) for d, k in keys.items()},
            "every_day": sorted(client.sinter(*keys.values()))}


def user_profile(client, prefix: str, user: str, fields: dict[str, str], logins: int) -> dict:
    """A hash per user (HSET), one field bumped in place (HINCRBY ``logins`` times)."""
    key = f"{prefix}user:{user}"
    client.delete(key)
    client.hset(key, mapping=fields)
    for _ in range(logins):
        client.hincrby(key, "logins", 1)
    return client.hgetall(key)
