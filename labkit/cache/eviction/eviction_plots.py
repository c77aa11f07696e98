"""Figures of the eviction and TTL runs: what one run did over time, policies and cache sizes side
by side, and the misses of a thundering herd with and without TTL jitter."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from labkit.cache.eviction.eviction_run import SAMPLE_EVERY, Run
from labkit.cache.eviction.ttl_herd import Herd

MB = 2**20


def hit_ratio_over_time(run: Run) -> tuple[list[float], list[float]]:
    """Per sampling interval: its end time and the share of its reads that hit (NaN if none)."""
    times, ratios = [], []
    for before, after in zip(run.samples, run.samples[1:]):
        reads = after.hits + after.misses - before.hits - before.misses
        times.append(after.t)
        ratios.append((after.hits - before.hits) / reads if reads else float("nan"))
    return times, ratios


def plot_run(run: Run):
    """Four panels over time: evictions and expirations, hit ratio, memory, refused writes."""
    t = [s.t for s in run.samples]
    fig, axes = plt.subplots(2, 2, figsize=(10, 6), sharex=True)
    (keys_ax, ratio_ax), (memory_ax, failed_ax) = axes
    keys_ax.plot(t, [s.evicted for s in run.samples], label="evicted_keys")
    keys_ax.plot(t, [s.expired for s in run.samples], label="expired_keys")
    keys_ax.set_ylabel("keys (cumulative)")
    keys_ax.legend(fontsize=8)
    ratio_ax.plot(*hit_ratio_over_time(run), color="tab:green")
    ratio_ax.set_ylim(0, 1)
    ratio_ax.set_ylabel(f"hit ratio per {SAMPLE_EVERY:g} s")
    memory_ax.plot(t, [s.used_memory / MB for s in run.samples], label="used_memory")
    memory_ax.plot(t, [s.maxmemory / MB for s in run.samples], "k--", label="maxmemory")
    memory_ax.set_ylim(0, run.last.maxmemory / MB * 1.15)
    memory_ax.set_ylabel("MB")
    memory_ax.legend(fontsize=8, loc="lower right")
    failed_ax.plot(t, [s.failed_writes for s in run.samples], color="tab:red")
    failed_ax.set_ylabel("refused SETs (OOM), cumulative")
    for ax in (memory_ax, failed_ax):
        ax.set_xlabel("seconds into the run")
    fig.suptitle(run.workload.label)
    fig.tight_layout()
    return fig


def plot_comparison(runs: dict[str, Run], title: str):
    """Hit ratio over time per run, and bars of evictions, expirations and refused writes."""
    fig, (ratio_ax, bars_ax) = plt.subplots(1, 2, figsize=(11, 4))
    for label, run in runs.items():
        ratio_ax.plot(*hit_ratio_over_time(run), label=f"{label} ({run.hit_ratio():.0%} overall)")
    ratio_ax.set_ylim(0, 1)
    ratio_ax.set_xlabel("seconds into the run")
    ratio_ax.set_ylabel(f"hit ratio per {SAMPLE_EVERY:g} s")
    ratio_ax.legend(fontsize=7, loc="lower right")
    x = np.arange(len(runs))
    counters = {"evicted": "evicted keys", "expired": "expired keys", "failed_writes": "refused SETs"}
    width = 0.8 / len(counters)
    for i, (name, legend) in enumerate(counters.items()):
        bars_ax.bar(x + (i - 1) * width, [getattr(r.last, name) for r in runs.values()], width, label=legend)
    bars_ax.set_xticks(x, list(runs), rotation=20, ha="right", fontsize=8)
    bars_ax.set_ylabel("keys during the run")
    bars_ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_herd(herds: dict[str, Herd]):
    """Database loads (cache misses) per time bucket, one line per run, peak in the legend."""
    fig, ax = plt.subplots(figsize=(9, 3.5))
    for label, herd in herds.items():
        ax.step(herd.times(), herd.misses, where="post", label=f"{label}: peak {herd.peak} in {herd.bucket:g} s")
    ax.set_xlabel("seconds after the keys were loaded")
    ax.set_ylabel(f"misses per {next(iter(herds.values())).bucket:g} s")
    ax.legend(fontsize=8)
    ax.set_title("Keys loaded together: expiring at once or spread out")
    fig.tight_layout()
    return fig
