"""What a snapshot costs the node that serves the application: the fork, and the save after it.

``BGSAVE`` (a snapshot) and ``BGREWRITEAOF`` (a compacted append-only file) both fork the
redis-server process; the child writes the data while the parent goes on serving. The fork itself
stops the parent for as long as the kernel takes to copy its page tables, which grows with the
memory the node uses (``latest_fork_usec`` reports it), and the child then competes with the
parent for the cores. ``spike`` grows the dataset step by step and, at each size, times a probe
read in a loop while the lab's snapshot function runs.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import redis

from labkit import measure, poll, tables
from labkit.memorydb.load import Load

PROBE_BEFORE_S = 0.3  # seconds of probe reads before the snapshot starts
VALUE_BYTES = 100
FILL_STEP = 100_000
TIMEOUT_S = 60.0
PREFIX = "probe"  # the probe reads worker 0's keys, probe0:0, probe0:1, ...: the keys fill() stores


@dataclass(frozen=True)
class Spike:
    snapshot: str            # the snapshot function's name
    keys: int
    used_mb: float
    fork_us: int             # what the lab's function read after the snapshot (latest_fork_usec)
    call_ms: float           # how long the snapshot command took to return (it returns after the fork)
    save_s: float            # from the start of the snapshot until the child finished
    before_s: list[float] = field(repr=False)  # probe latencies before the snapshot
    during_s: list[float] = field(repr=False)  # ... of probes sent while it ran

    def summary(self, phase: str) -> measure.Summary:
        return measure.summary_ms(self.before_s if phase == "before" else self.during_s)


def fill(node: redis.Redis, keys: int, step: int = FILL_STEP) -> None:
    """Grow the node to ``keys`` keys of VALUE_BYTES bytes (DEBUG POPULATE, which the MemoryDB pair
    allows from the local host; keys already there are kept), ``step`` new keys per command: the
    node serves nobody during one, and a long one would look like a dead primary to Sentinel."""
    for count in range(min(step, keys), keys + step, step):
        node.execute_command("DEBUG", "POPULATE", min(count, keys), f"{PREFIX}0", VALUE_BYTES)


def busy(node: redis.Redis) -> bool:
    """Whether a snapshot or an append-only file rewrite is still running on ``node``."""
    info = node.info("persistence")
    return bool(info["rdb_bgsave_in_progress"] or info["aof_rewrite_in_progress"]
                or info["aof_rewrite_scheduled"])


def spike(node: redis.Redis, snapshot: Callable[[redis.Redis], object], read: Callable[[redis.Redis, str], object],
          fork_us: Callable[[redis.Redis], int], keys: int, client: redis.Redis) -> Spike:
    """Fill ``node`` to ``keys`` keys; while a probe thread calls ``read(client, key)`` on them in a
    loop, run ``snapshot(node)`` and wait until the node has finished it."""
    fill(node, keys)
    with Load(read, client, PREFIX, threads=1, cycle=keys) as probe:
        time.sleep(PROBE_BEFORE_S)
        started = time.monotonic()
        snapshot(node)
        call_ms = (time.monotonic() - started) * 1000
        poll.until(lambda: not busy(node), TIMEOUT_S, f"{snapshot.__name__} to finish", interval=0.02)
        ended = time.monotonic()
    if probe.errors or node.role()[0] != "master":
        raise RuntimeError(f"the node stalled during {snapshot.__name__} (probe errors {dict(probe.errors)}, role "
                           f"{node.role()[0]}): a stall longer than Sentinel's down-after time makes it fail over")
    before = [c.seconds for c in probe.between(probe.started, started)]
    during = [c.seconds for c in probe.between(started, probe.stopped) if c.at - c.seconds < ended]
    return Spike(snapshot.__name__, node.dbsize(), node.info("memory")["used_memory"] / 2**20, fork_us(node),
                 call_ms, ended - started, before, during)


def table(spikes: list[Spike]) -> str:
    rows = []
    for s in spikes:
        before, during = s.summary("before"), s.summary("during")
        rows.append([s.snapshot, f"{s.keys:,}", f"{s.used_mb:,.0f}", f"{s.fork_us / 1000:.2f}", f"{s.call_ms:.1f}",
                     f"{s.save_s:.2f}",
                     f"{before.p99:.2f}", f"{during.p99:.2f}", f"{before.max:.2f}", f"{during.max:.2f}"])
    return tables.markdown(["snapshot", "keys", "memory MB", "fork ms", "command ms", "in the background s",
                            "read p99 ms before", "read p99 ms during", "slowest read ms before",
                            "slowest read ms during"], rows, align="lrrrrrrrrr")
