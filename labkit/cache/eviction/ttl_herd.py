"""Keys loaded together with the same TTL expire together: a burst of misses hits the database.

``run`` loads every key at once, then reads them all every ``sweep_every`` seconds as a busy
application would; each key found missing is one database load, after which the key is stored
again with a fresh TTL. With ``jitter`` each TTL is spread by up to ±jitter of its length, so
the same expirations, and the loads they cause, are spread over time instead of coming at once.
Misses are counted per ``bucket`` of time; ``peak`` is the worst bucket.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
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


def expiry_ms(ttl: float, jitter: float, rng: np.random.Generator, size: int) -> list[int]:
    """``size`` TTLs in ms: ``ttl`` seconds, each spread uniformly by up to ±``jitter`` of it."""
    if ttl <= 0 or not 0 <= jitter < 1:
        raise ValueError(f"need ttl > 0 seconds and jitter in [0, 1) (got {ttl}, {jitter})")
    spread = 1 + rng.uniform(-jitter, jitter, size)
    return np.maximum(1, np.round(ttl * spread * 1000)).astype(int).tolist()


def store(client: redis.Redis, keys: list[str], ttls_ms: list[int]) -> None:
    """Write each key (a stand-in for a database answer) with its TTL, in one round trip."""
    pipe = client.pipeline(transaction=False)
    for key, ttl in zip(keys, ttls_ms):
        pipe.set(key, "loaded from the database", px=ttl)
    pipe.execute()


def run(client: redis.Redis, jitter: float, keys: int = 300, ttl: float = 1.0, duration: float = 1.7,
        bucket: float = 0.1, sweep_every: float = 0.04, prefix: str = PREFIX, seed: int = 12) -> Herd:
    """Load ``keys`` keys at once with TTL ``ttl`` ± ``jitter``, read them all until ``duration``,
    reload what expired, and count the misses per time bucket."""
    if keys < 1 or bucket <= 0 or sweep_every <= 0 or duration < bucket:
        raise ValueError("need keys >= 1, bucket > 0, sweep_every > 0 and duration >= bucket")
    rng = np.random.default_rng(seed)
    names = [f"{prefix}herd:{jitter:g}:{i}" for i in range(keys)]
    misses = [0] * math.ceil(duration / bucket)
    store(client, names, expiry_ms(ttl, jitter, rng, keys))
    started = time.monotonic()
    while (elapsed := time.monotonic() - started) < duration:
        missing = [name for name, value in zip(names, client.mget(names)) if value is None]
        if missing:
            misses[min(int(elapsed / bucket), len(misses) - 1)] += len(missing)
            store(client, missing, expiry_ms(ttl, jitter, rng, len(missing)))
        time.sleep(max(0.0, sweep_every - (time.monotonic() - started - elapsed)))
    return Herd(jitter=jitter, bucket=bucket, misses=misses)


def compare(client: redis.Redis, jitters: tuple[float, ...] = (0.0, 0.5), **options) -> dict[str, Herd]:
    """One run per jitter, labelled for a plot legend."""
    return {("same TTL" if j == 0 else f"±{j:.0%} jitter"): run(client, j, **options) for j in jitters}
