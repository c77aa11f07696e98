"""Figures of lab 9: how long reads stay stale per strategy, and what each strategy costs."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from labkit.cache.strategies.staleness import StaleWindow
from labkit.cache.strategies.strategy_comparison import StrategyRun


def plot_stale_windows(windows: list[StaleWindow]):
    """Horizontal bars: the measured staleness window per strategy, its TTL marked beside it."""
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(windows) + 1.5))
    y = np.arange(len(windows))
    ax.barh(y, [w.window_s for w in windows], color="tab:red", alpha=0.7, label="measured window")
    for i, w in enumerate(windows):  # the value, right of the bar and of its TTL mark
        ax.annotate(f"{w.window_s * 1000:.0f} ms", (max(w.window_s, w.ttl or 0), i), xytext=(6, 0),
                    textcoords="offset points", va="center", fontsize=8)
    ttl = [(i, w.ttl) for i, w in enumerate(windows) if w.ttl is not None]
    if ttl:
        ax.plot([t for _, t in ttl], [i for i, _ in ttl], "k|", markersize=18, label="TTL")
    ax.margins(x=0.15)  # room for the labels
    ax.set_yticks(y, [w.label for w in windows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("time from the committed write to the first fresh read (s)")
    ax.set_title("How long readers kept getting the old page")
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig


def plot_costs(runs: list[StrategyRun]):
    """Two panels on the same workload: the share of stale reads, and the cache memory split into
    entries a reader asked for and entries nobody read."""
    fig, (stale_ax, memory_ax) = plt.subplots(1, 2, figsize=(10, 0.55 * len(runs) + 1.8), sharey=True)
    y = np.arange(len(runs))
    bars = stale_ax.barh(y, [100 * r.stale_share for r in runs], color="tab:red", alpha=0.7)
    stale_ax.bar_label(bars, [f" {r.stale_reads} reads" for r in runs], fontsize=8)
    stale_ax.margins(x=0.2)
    stale_ax.set_yticks(y, [r.label for r in runs], fontsize=8)
    stale_ax.invert_yaxis()
    stale_ax.set_xlabel("stale reads (% of reads)")
    read_kib = [(r.stock.bytes - r.stock.never_read_bytes) / 1024 for r in runs]
    never_kib = [r.stock.never_read_bytes / 1024 for r in runs]
    memory_ax.barh(y, read_kib, color="tab:blue", alpha=0.7, label="entries a reader asked for")
    memory_ax.barh(y, never_kib, left=read_kib, color="tab:gray", alpha=0.7, label="entries never read")
    memory_ax.set_xlabel("cache memory at the end of the run (KiB)")
    memory_ax.legend(fontsize=8, loc="upper right")
    fig.suptitle("Same reads and writes, four strategies")
    fig.tight_layout()
    return fig
