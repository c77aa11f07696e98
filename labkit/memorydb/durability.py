"""Does losing the primary lose writes the application was told were done?

A trial puts the pair in one mode (the lab's ``configure`` function on the primary, the lab's
``write`` function for the clients), lets writers call ``write`` through a Sentinel-aware client
as fast as they can, and then loses the primary as a machine is lost (``pair.lose_primary``:
the replica's link fails first, then kill -9 and the data folder discarded). When Sentinel has
promoted the replica, every acknowledged key is looked up on it: an acknowledged key missing
there is a lost write. The lost node is then replaced by an empty one, so the next trial starts
from a healthy pair.
"""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import redis

from labkit import measure, tables
from labkit.aurora import durability_report
from labkit.cache import failover
from labkit.cache.engines.redis_persistence import wait_for_aof
from labkit.memorydb import pair
from labkit.memorydb.load import Load

LOAD_S = 0.4  # seconds of writes before the replica's link is cut
CUT_S = 0.3   # seconds between the cut and the kill: the window in which writes reach no replica
MGET_BATCH = 1000


@dataclass(frozen=True)
class Mode:
    """How the lab writes (``write(client, key)``) and sets up the primary (``configure(node)``,
    None for the pair's baseline: no append-only file)."""
    name: str
    write: Callable[[redis.Redis, str], object]
    configure: Callable[[redis.Redis], object] | None = None


@dataclass(frozen=True)
class Trial(measure.Percentiles):
    mode: str
    number: int             # 1, 2, ... within its mode
    lost_node: str
    new_primary: str
    acknowledged: int       # writes that returned, over the whole trial
    acknowledged_in_cut: int  # ... of which sent after the replica's link was cut, before the kill
    lost: int               # acknowledged, yet missing on the new primary
    errors: dict[str, int]  # writes that raised, by error: not acknowledged
    failover_s: float       # from the kill until Sentinel named a new primary that accepts writes
    throughput: float       # acknowledged writes per second before the cut
    latency_s: list[float] = field(repr=False)  # write latencies before the cut


def missing(client: redis.Redis, keys: list[str]) -> list[str]:
    """The ``keys`` that ``client``'s node does not hold."""
    gone = []
    for i in range(0, len(keys), MGET_BATCH):
        batch = keys[i:i + MGET_BATCH]
        gone += [k for k, v in zip(batch, client.mget(batch)) if v is None]
    return gone


def run_trial(mode: Mode, client: redis.Redis, number: int, prefix: str, threads: int = 4,
              load_s: float = LOAD_S, cut_s: float = CUT_S) -> Trial:
    """One trial of ``mode``: writers through ``client`` (a Sentinel-aware client of the pair's
    primary) on keys under ``prefix``, then the primary is lost; count what the promoted replica
    lacks, replace the node."""
    pair.wait_healthy()
    pair.reset()
    old = pair.primary()
    if mode.configure is not None:
        mode.configure(pair.node(old))
        wait_for_aof(pair.node(old))
    with Load(mode.write, client, prefix, threads) as writers:
        time.sleep(load_s)
        loss = pair.lose_primary(cut_s)
        new, failover_s = failover.wait_for_new_primary(old, pair=pair.PAIR)
    cut = loss.link_cut_at if loss.link_cut_at is not None else loss.crashed_at
    before = writers.between(writers.started, cut)
    lost = missing(pair.node(new), [c.key for c in writers.calls])
    pair.replace(old)
    in_cut = [c for c in writers.between(cut, loss.crashed_at) if c.at - c.seconds >= cut]
    return Trial(mode.name, number, old, new, len(writers.calls), len(in_cut),
                 len(lost), dict(writers.errors), failover_s, len(before) / (cut - writers.started),
                 [c.seconds for c in before])


def run_trials(modes: list[Mode], client: redis.Redis, trials: dict[str, int], prefix: str,
               threads: int = 4, load_s: float = LOAD_S, cut_s: float = CUT_S) -> list[Trial]:
    """``trials[mode.name]`` trials of each mode, the modes taking turns, so that a machine that
    slows down during the run slows every mode alike. Each trial's keys are deleted after it."""
    unknown = set(trials) - {m.name for m in modes}
    if unknown or not trials or min(trials.values()) < 1:
        raise ValueError(f"need at least one trial for modes among {[m.name for m in modes]} (got {trials})")
    done: list[Trial] = []
    for number in range(1, max(trials.values()) + 1):
        for mode in modes:
            if trials.get(mode.name, 0) >= number:
                done.append(run_trial(mode, client, number, f"{prefix}t{len(done) + 1}:", threads, load_s, cut_s))
                pair.node(pair.primary()).flushall()
    return done


@dataclass(frozen=True)
class DurableModeSummary(durability_report.ModeSummary):
    """What the Aurora durability lab sums up per mode, and: writes acknowledged after the cut,
    trials that lost writes, the median failover."""
    in_cut: int = 0
    losing_trials: int = 0
    failover_s: float = 0.0


def summary(trials: list[Trial]) -> dict[str, DurableModeSummary]:
    """A ``DurableModeSummary`` per mode, in the order the modes first ran."""
    result = {}
    for mode, found in durability_report.mode_summary(trials).items():
        mine = [t for t in trials if t.mode == mode]
        result[mode] = DurableModeSummary(**vars(found), in_cut=sum(t.acknowledged_in_cut for t in mine),
                                          losing_trials=sum(t.lost > 0 for t in mine),
                                          failover_s=statistics.median(t.failover_s for t in mine))
    return result


def trial_table(trials: list[Trial]) -> str:
    rows = [[t.mode, t.number, f"{t.lost_node} → {t.new_primary}", f"{t.failover_s:.1f}", t.acknowledged,
             t.acknowledged_in_cut, t.lost,
             ", ".join(f"{name} {n}" for name, n in sorted(t.errors.items())) or "none"] for t in trials]
    return tables.markdown(["mode", "trial", "primary lost → promoted", "failover s", "acknowledged",
                            "… sent after the cut", "lost", "not acknowledged (error)"], rows,
                           align="lrlrrrrl")


def summary_table(trials: list[Trial]) -> str:
    rows = [[mode, s.trials, s.acknowledged, s.in_cut, s.lost, f"{s.losing_trials} of {s.trials}",
             f"{s.p50_ms:.2f}", f"{s.p99_ms:.2f}"] for mode, s in summary(trials).items()]
    return tables.markdown(["mode", "trials", "acknowledged", "… sent after the cut", "lost",
                            "trials that lost writes", "write p50 ms", "write p99 ms"], rows, align="lrrrrrrr")
