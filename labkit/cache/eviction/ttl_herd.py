"""Keys loaded together with the same TTL expire together: a burst of misses hits the database.

``run`` loads every key at once through the page's ``store(client, keys, ttl, jitter)``, then reads
them all every ``sweep_every`` seconds as a busy application would; each key found missing is one
database load, after which ``store`` writes it again with a fresh TTL. With ``jitter`` the page
spreads each TTL by up to ±jitter of its length, so the same expirations, and the loads they
cause, are spread over time instead of coming at once. Misses are counted per ``bucket`` of time;
``peak`` is the worst bucket.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

PREFIX = "lab12:"


@dataclass(frozen=True)
class Herd:
    jitter: float
    bucket: float
    misses: list[int]

    @property
    def peak(self) -> int:
        return max(self.misses)

    @property
    def loads(self) -> int:
        return sum(self.misses)

    def times(self) -> list[float]:
        """Start of each bucket, in seconds after the keys were first loaded."""
        return [i * self.bucket for i in range(len(self.misses))]


Store = Callable[[redis.Redis, list[str], float, float], object]  # (client, keys, ttl s, jitter)


def run(client: redis.Redis, store: Store, jitter: float, keys: int = 300, ttl: float = 1.0,
        duration: float = 1.7, bucket: float = 0.1, sweep_every: float = 0.04, prefix: str = PREFIX) -> Herd:
    """Load ``keys`` keys at once with ``store`` (TTL ``ttl`` ± ``jitter``), read them all until
    ``duration``, reload what expired, and count the misses per time bucket."""
    if keys < 1 or bucket <= 0 or sweep_every <= 0 or duration < bucket:
        raise ValueError("need keys >= 1, bucket > 0, sweep_every > 0 and duration >= bucket")
    if not 0 <= jitter < 1:
        raise ValueError(f"jitter is a share of the TTL in [0, 1) (got {jitter})")
    names = [f"{prefix}herd:{jitter:g}:{i}" for i in range(keys)]
    misses = [0] * math.ceil(duration / bucket)
    store(client, names, ttl, jitter)
    started = time.monotonic()
    while (elapsed := time.monotonic() - started) < duration:
        missing = [name for name, value in zip(names, client.mget(names)) if value is None]
        if missing:
            misses[min(int(elapsed / bucket), len(misses) - 1)] += len(missing)
            store(client, missing, ttl, jitter)
        time.sleep(max(0.0, sweep_every - (time.monotonic() - started - elapsed)))
    return Herd(jitter=jitter, bucket=bucket, misses=misses)


def compare(client: redis.Redis, store: Store, jitters: tuple[float, ...] = (0.0, 0.5),
            **options) -> dict[str, Herd]:
    """One run per jitter, labelled for a plot legend."""
    return {("same TTL" if j == 0 else f"±{j:.0%} jitter"): run(client, store, j, **options) for j in jitters}
