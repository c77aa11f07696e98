"""A leaderboard fed by many threads at once: what it costs on Redis and on Memcached.

The page writes how a score is added (``ZINCRBY`` on a Redis sorted set; ``gets``, change and
``cas`` with a retry on Memcached) and how the board is read back. This module splits the score
events over threads, each with its own client, counts every round trip the page's function makes
and every ``cas`` the server refused (each one a retry), and compares the final board with the
totals computed without a cache.
"""
from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

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

    def matches(self, expected: list[tuple[str, int]]) -> bool:
        return self.board == expected


class _Counted:
    """A client whose every command is counted as a round trip; a ``cas`` answered False (another
    writer changed the value first) is counted as a conflict."""

    def __init__(self, client):
        self.client, self.round_trips, self.conflicts = client, 0, 0

    def __getattr__(self, name):
        command = getattr(self.client, name)

        def counted(*args, **kwargs):
            answer = command(*args, **kwargs)
            self.round_trips += 1
            self.conflicts += name == "cas" and answer is False
            return answer
        return counted


def feed_board(engine: str, connect: Callable, key: str, events: list[ScoreEvent], threads: int,
               add: Callable, read: Callable) -> BoardRun:
    """Split ``events`` over ``threads`` workers, each with its own ``connect()`` client, calling
    ``add(client, key, player, points)`` per event; then ``read(client, key)`` gives the board
    ({player: score}). The page creates the empty board first."""
    if threads < 1:
        raise ValueError(f"need at least one thread (got {threads})")
    counted = [_Counted(connect()) for _ in range(threads)]
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for e in events[k::threads]:
                add(counted[k], key, e.player, e.points)
        except Exception as exc:  # re-raised in the caller's thread below
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    t0 = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    seconds = time.perf_counter() - t0
    if errors:
        raise errors[0]
    board = sorted(((p, int(s)) for p, s in read(connect(), key).items()), key=lambda item: (-item[1], item[0]))
    return BoardRun(engine, threads, len(events), board, sum(c.round_trips for c in counted),
                    sum(c.conflicts for c in counted), seconds)


def board_table(runs: list[BoardRun]) -> str:
    """A Markdown table: per engine, events, round trips, CAS retries, time and events/s."""
    return tables.markdown(
        ["engine", "threads", "score events", "round trips", "retries", "seconds", "events/s"],
        [[r.engine, r.threads, r.events, r.round_trips, r.retries, f"{r.seconds:.2f}",
          f"{r.events / r.seconds:,.0f}"] for r in runs],
        align="lrrrrrr")
