"""What the durability trials showed, as a table per trial, a summary per mode and one figure.

Pure functions of ``durability.Trial`` results, so they are tested without servers.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass

import matplotlib.pyplot as plt
import matplotlib.ticker as ticker
import numpy as np

from labkit import measure, tables

MODE_COLOURS = {"async": "tab:red", "quorum": "tab:blue"}


def trial_table(trials: list) -> str:
    """A Markdown table with one row per trial, in the order they ran."""
    rows = [[number, t.mode, t.crash, f"{t.old_writer} → {t.new_writer}", f"{t.failover_s:.1f}",
             t.acknowledged, t.lost, f"{t.in_doubt} ({t.in_doubt_kept})", f"{t.throughput:.0f}",
             f"{t.p50_ms:.1f}", f"{t.p99_ms:.1f}",
             ", ".join(f"{kind} {count}" for kind, count in sorted(t.errors.items())) or "none"]
            for number, t in enumerate(trials, 1)]
    return tables.markdown(["#", "mode", "crash", "writer: old → new", "failover s", "acknowledged", "lost",
                            "in doubt (kept)", "writes/s", "p50 ms", "p99 ms", "errors"], rows,
                           align="rlllrrrrrrrl")


@dataclass(frozen=True)
class ModeSummary:
    """One mode's trials summed up: how many, acknowledged and lost writes in total, the worst
    trial's loss, the median throughput, and write latency over every write of the mode."""
    trials: int
    acknowledged: int
    lost: int
    worst: int
    throughput: float
    p50_ms: float
    p99_ms: float


def mode_summary(trials: list) -> dict[str, ModeSummary]:
    """A ``ModeSummary`` per mode, in the order the modes first ran."""
    summary = {}
    for mode in dict.fromkeys(t.mode for t in trials):
        mine = [t for t in trials if t.mode == mode]
        latency = measure.summary_ms([s for t in mine for s in t.latency_s])
        summary[mode] = ModeSummary(trials=len(mine), acknowledged=sum(t.acknowledged for t in mine),
                                    lost=sum(t.lost for t in mine), worst=max(t.lost for t in mine),
                                    throughput=statistics.median(t.throughput for t in mine),
                                    p50_ms=latency.p50, p99_ms=latency.p99)
    return summary


def mode_table(trials: list) -> str:
    """``mode_summary`` as a Markdown table."""
    rows = [[mode, s.trials, s.acknowledged, s.lost, s.worst, f"{s.throughput:.0f}",
             f"{s.p50_ms:.1f}", f"{s.p99_ms:.1f}"] for mode, s in mode_summary(trials).items()]
    return tables.markdown(["mode", "trials", "acknowledged", "lost", "worst trial", "median writes/s",
                            "p50 ms", "p99 ms"], rows, align="lrrrrrrr")


def plot_trials(trials: list):
    """Three panels: lost acknowledged writes per trial, throughput per trial, write latency per mode."""
    fig, (lost_ax, rate_ax, lat_ax) = plt.subplots(1, 3, figsize=(11, 3.8))
    x = np.arange(1, len(trials) + 1)
    colours = [MODE_COLOURS.get(t.mode, "grey") for t in trials]
    hatches = ["//" if t.crash == "whole node" else "" for t in trials]
    for ax, values, label in ((lost_ax, [t.lost for t in trials], "acknowledged, then lost"),
                              (rate_ax, [t.throughput for t in trials], "acknowledged writes/s")):
        bars = ax.bar(x, values, color=colours, edgecolor="black", linewidth=0.5)
        for bar, hatch in zip(bars, hatches):
            bar.set_hatch(hatch)
        ax.set_xticks(x)
        ax.set_xlabel("trial (hatched: whole-node crash)")
        ax.set_ylabel(label)
    lost_ax.set_title("Writes lost by the failover")
    lost_ax.set_ylim(0, max(1, max(t.lost for t in trials)) * 1.15)
    lost_ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    rate_ax.set_title("Throughput before the crash")
    summary = mode_summary(trials)
    modes = list(summary)
    width = 0.38
    for offset, key in ((-width / 2, "p50_ms"), (width / 2, "p99_ms")):
        lat_ax.bar(np.arange(len(modes)) + offset, [getattr(summary[m], key) for m in modes], width,
                   color=[MODE_COLOURS.get(m, "grey") for m in modes], edgecolor="black", linewidth=0.5,
                   alpha=1.0 if key == "p50_ms" else 0.5)
    lat_ax.set_xticks(np.arange(len(modes)), [f"{m}\np50 | p99" for m in modes])
    lat_ax.set_ylabel("write latency, INSERT + COMMIT (ms)")
    lat_ax.set_title("Write latency, all trials")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in MODE_COLOURS.values()]
    fig.legend(handles, [f"{m} mode" for m in MODE_COLOURS], loc="upper center", ncol=2, fontsize=8,
               bbox_to_anchor=(0.5, 1.02))
    fig.tight_layout(rect=(0, 0, 1, 0.94))
    return fig
