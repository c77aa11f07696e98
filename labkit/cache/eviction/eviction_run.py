"""Fill a small Redis past its ``maxmemory`` and record what its eviction policy does over time.

A read-through client asks for keys drawn from a Zipf law: GET, and on a miss SET the value,
with a TTL for a chosen share of the keys. While it runs, the Redis counters that tell the story
are sampled: ``evicted_keys``, ``expired_keys``, ``used_memory`` against ``maxmemory``, and the
client's own hits, misses and refused writes (``OOM command not allowed when used memory >
'maxmemory'``). Every run starts lone Redis nodes afresh (``standalone.start``) and stops them when
it is done, so runs do not leak into each other, a learner's runs in the explorer leave no server
behind, and the replicated pair other labs use is never touched.

Requests go in batches (one MGET per shard for the reads, one pipeline of SETs for the misses)
and are paced over ``duration`` seconds, so TTLs of a second or two expire during a run however
fast the machine is. A key asked for twice in a batch counts as a hit the second time if its
SET succeeded, as it would for a client sending one request at a time.
"""
from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import redis

from labkit import tables
from labkit.cache import standalone, workload
from labkit.cache.eviction.eviction_shards import ShardRouter
from labkit.services.redis import STANDALONE

POLICIES = ("noeviction", "allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-ttl")
PREFIX = "lab12:"
BATCH = 100
SAMPLE_EVERY = 0.1  # seconds between two samples of the counters


@dataclass(frozen=True)
class Workload:
    """What one run does; ``maxmemory_mb`` is per shard."""

    policy: str = "allkeys-lru"
    maxmemory_mb: int = 4
    shards: int = 1
    keys: int = 20_000
    ttl_share: float = 0.5
    ttl_range: tuple[float, float] = (0.3, 1.5)
    value_bytes: int = 2000
    requests: int = 7_200
    duration: float = 1.2
    skew: float = 1.0
    seed: int = 12

    def __post_init__(self):
        problems = []
        if self.policy not in POLICIES:
            problems.append(f"policy must be one of {', '.join(POLICIES)} (got {self.policy!r})")
        if not 1 <= self.shards <= len(STANDALONE):
            problems.append(f"shards must be 1..{len(STANDALONE)}, one per standalone node (got {self.shards})")
        if self.maxmemory_mb < 2:
            problems.append(f"maxmemory_mb must be at least 2 (an empty Redis uses ~1 MB), got {self.maxmemory_mb}")
        if self.keys < 1 or self.requests < 1 or self.value_bytes < 1:
            problems.append("keys, requests and value_bytes must be positive")
        if not 0 <= self.ttl_share <= 1:
            problems.append(f"ttl_share is a share of the keys, in [0, 1] (got {self.ttl_share})")
        low, high = self.ttl_range
        if not 0 < low <= high:
            problems.append(f"ttl_range must be (low, high) seconds with 0 < low <= high (got {self.ttl_range})")
        if not 0 < self.duration <= 30:
            problems.append(f"duration must be in (0, 30] seconds (got {self.duration})")
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def label(self) -> str:
        where = f"{self.shards} × {self.maxmemory_mb} MB" if self.shards > 1 else f"{self.maxmemory_mb} MB"
        return f"{self.policy}, {where}, {self.ttl_share:.0%} with TTL"

    def ttl_ms(self) -> np.ndarray:
        """Per key id (index 1..keys), the TTL it is written with in ms; 0 means no TTL."""
        rng = np.random.default_rng(self.seed + 1)
        low, high = self.ttl_range
        ttl = np.round(rng.uniform(low, high, self.keys + 1) * 1000).astype(int)
        ttl[rng.random(self.keys + 1) >= self.ttl_share] = 0
        return ttl


@dataclass(frozen=True)
class Sample:
    """The counters at ``t`` seconds into the run (server counters summed over the shards)."""

    t: float
    requests: int
    hits: int
    misses: int
    failed_writes: int
    evicted: int
    expired: int
    used_memory: int
    maxmemory: int


@dataclass
class Run:
    workload: Workload
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def last(self) -> Sample:
        return self.samples[-1]

    def hit_ratio(self, since: float = 0.0) -> float:
        """Hits per read; ``since=0.5`` counts only the reads of the second half of the run."""
        first = next(s for s in self.samples if s.t >= since * self.seconds)
        reads = self.last.hits + self.last.misses - first.hits - first.misses
        return (self.last.hits - first.hits) / reads if reads else 0.0

    def peak_memory(self) -> int:
        return max(s.used_memory for s in self.samples)


def tally(keys: list[str], found: list[bool], stored: dict[str, bool]) -> tuple[int, int]:
    """(hits, misses) of one batch read in order: a key found is a hit; a key not found is a miss
    the first time, and again later in the batch only if storing it was refused."""
    hits = misses = 0
    loaded: set[str] = set()
    for key, was_found in zip(keys, found):
        if was_found or (key in loaded and stored[key]):
            hits += 1
        else:
            misses += 1
            loaded.add(key)
    return hits, misses


def read_through(router: ShardRouter, keys: list[str], ttl_ms: dict[str, int], value: str) -> tuple[int, int, int]:
    """One batch: read every key, SET each missing key once; return (hits, misses, refused SETs)."""
    present: dict[str, bool] = {}
    for shard, group in router.split(dict.fromkeys(keys)).items():
        values = router.clients[shard].mget(group)
        present.update((key, v is not None) for key, v in zip(group, values))
    missing = [key for key, found in present.items() if not found]
    stored: dict[str, bool] = {}
    for shard, group in router.split(missing).items():
        pipe = router.clients[shard].pipeline(transaction=False)
        for key in group:
            pipe.set(key, value, px=ttl_ms[key] or None)
        for key, result in zip(group, pipe.execute(raise_on_error=False)):
            if isinstance(result, Exception) and not isinstance(result, redis.OutOfMemoryError):
                raise result
            stored[key] = result is True
    hits, misses = tally(keys, [present[k] for k in keys], stored)
    return hits, misses, sum(not ok for ok in stored.values())


def server_counters(clients: list[redis.Redis]) -> dict[str, int]:
    """evicted_keys, expired_keys, used_memory and maxmemory, summed over ``clients``."""
    totals = dict.fromkeys(("evicted_keys", "expired_keys", "used_memory", "maxmemory"), 0)
    for client in clients:
        pipe = client.pipeline(transaction=False)
        pipe.info("stats")
        pipe.info("memory")
        stats, memory = pipe.execute()
        for name in totals:
            totals[name] += int({**stats, **memory}[name])
    return totals


@contextlib.contextmanager
def fresh_nodes(w: Workload) -> Iterator[list[redis.Redis]]:
    """Fresh, empty standalone nodes with the workload's maxmemory and policy, stopped afterwards."""
    names = STANDALONE[:w.shards]
    try:
        yield [standalone.start(name, maxmemory=f"{w.maxmemory_mb}mb", maxmemory_policy=w.policy)
               for name in names]
    finally:
        for name in names:
            standalone.stop(name)


def run(w: Workload, prefix: str = PREFIX) -> Run:
    """Run ``w`` on fresh standalone nodes and return the sampled counters."""
    with fresh_nodes(w) as nodes:
        return _sampled_run(w, ShardRouter(nodes), prefix)


def _sampled_run(w: Workload, router: ShardRouter, prefix: str) -> Run:
    """Send the workload's reads through ``router``, paced over its duration, sampling the counters."""
    ids = workload.zipf(w.keys, w.requests, s=w.skew, seed=w.seed)
    ttl_of_id = w.ttl_ms()
    value = "v" * w.value_bytes
    result = Run(w)
    counts = {"requests": 0, "hits": 0, "misses": 0, "failed_writes": 0}

    def sample(elapsed: float) -> None:
        server = server_counters(router.clients)
        result.samples.append(Sample(t=elapsed, evicted=server["evicted_keys"], expired=server["expired_keys"],
                                     used_memory=server["used_memory"], maxmemory=server["maxmemory"], **counts))

    started = time.monotonic()
    sample(0.0)
    next_sample = SAMPLE_EVERY
    for begin in range(0, w.requests, BATCH):
        due = started + w.duration * begin / w.requests
        if (ahead := due - time.monotonic()) > 0:
            time.sleep(ahead)
        batch = ids[begin:begin + BATCH]
        keys = [f"{prefix}key:{i}" for i in batch]
        hits, misses, refused = read_through(router, keys, dict(zip(keys, ttl_of_id[batch].tolist())), value)
        counts["requests"] += len(keys)
        counts["hits"] += hits
        counts["misses"] += misses
        counts["failed_writes"] += refused
        if (elapsed := time.monotonic() - started) >= next_sample:
            sample(elapsed)
            next_sample = elapsed + SAMPLE_EVERY
    result.seconds = time.monotonic() - started
    sample(result.seconds)
    return result


def compare(workloads: dict[str, Workload], reuse: tuple[Run, ...] = (), prefix: str = PREFIX) -> dict[str, Run]:
    """Run each workload in turn, each on freshly started nodes; a run in ``reuse`` made with
    the very same workload stands in for a new one."""
    done = {r.workload: r for r in reuse}
    return {label: done.get(w) or run(w, prefix) for label, w in workloads.items()}


def summary_rows(runs: dict[str, Run]) -> list[dict[str, str]]:
    """Per run, formatted: hit ratio, evictions, expirations, refused writes, peak memory."""
    return [{"run": label, "hit ratio": f"{r.hit_ratio():.1%}", "evicted keys": f"{r.last.evicted:,}",
             "expired keys": f"{r.last.expired:,}", "failed writes": f"{r.last.failed_writes:,}",
             "peak memory": f"{r.peak_memory() / 2**20:.2f} MB", "maxmemory": f"{r.last.maxmemory / 2**20:.0f} MB"}
            for label, r in runs.items()]


def summary_table(runs: dict[str, Run]) -> str:
    """``summary_rows`` as a Markdown table."""
    rows = summary_rows(runs)
    if not rows:
        raise ValueError("no run to summarise")
    header = list(rows[0])
    return tables.markdown(header, [list(row.values()) for row in rows], align="l" + "r" * (len(header) - 1))
