"""Figures of the cache-aside lab: read latency by kind, hit ratio as traffic warms the cache, and
reads through a cache node outage."""
from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker as ticker
import numpy as np
from matplotlib.patches import Patch

from labkit.cache.strategies import cache_outage, hit_ratio
from labkit.figures import label_log_axis
from labkit.cache.strategies.read_steps import KINDS, STEPS, Read, median_steps

STEP_COLOURS = {step: f"C{i}" for i, step in enumerate(STEPS)}
def latency_plot(reads: list[Read], title: str = "One product page read, three ways"):
    """Left: distribution of each kind of read (ms, log scale). Right: the median read split
    into its steps, so the three trips of a miss show next to the one of a hit."""
    kinds = [k for k in KINDS if any(r.kind == k for r in reads)]
    if not kinds:
        raise ValueError("no reads to plot")
    fig, (dist, parts) = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [3, 2]})
    values = {k: np.array([r.seconds for r in reads if r.kind == k]) * 1000 for k in kinds}
    dist.boxplot([values[k] for k in kinds], orientation="horizontal", widths=0.5, showfliers=True,
                 flierprops={"markersize": 2})
    dist.set_yticks(range(1, len(kinds) + 1), [f"{k}\n(n={values[k].size})" for k in kinds], fontsize=8)
    dist.set_xscale("log")
    label_log_axis(dist.xaxis)
    dist.set_xlabel("read latency (ms, log scale)")
    dist.set_title("every read")
    for row, kind in enumerate(kinds):
        left = 0.0
        for step, value in median_steps(reads, kind).items():
            parts.barh(row, value * 1000, left=left, color=STEP_COLOURS[step])
            left += value * 1000
    parts.legend(handles=[Patch(color=STEP_COLOURS[s], label=s) for s in STEPS], fontsize=8)
    parts.set_yticks(range(len(kinds)), [k.split(" (")[0] for k in kinds], fontsize=8)
    parts.invert_yaxis()
    parts.set_xlabel("median time per step (ms)")
    parts.set_title("where the time goes")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def hit_ratio_plot(results: dict[str, hit_ratio.Replay], window: int,
                   title: str = "Hit ratio as the traffic warms an empty cache"):
    """One line per scenario: the hit ratio in each window of ``window`` reads."""
    if not results:
        raise ValueError("no scenario to plot")
    fig, ax = plt.subplots(figsize=(8, 4))
    for name, result in results.items():
        reads, ratios = hit_ratio.windowed(result.hits, window)
        overall = hit_ratio.overall(result.hits)
        ax.plot(reads, ratios, marker="o", markersize=3, label=f"{name} (overall {overall:.0%})")
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(ticker.PercentFormatter(1.0))
    ax.set_xlabel(f"reads so far (hit ratio per window of {window} reads)")
    ax.set_ylabel("cache hits")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def outage_plot(run: cache_outage.OutageRun, title: str = "Reads while the cache node fails"):
    """Every read's latency over time, coloured by where its answer came from, with the outage
    shaded; failed reads, if any, drawn as red crosses at the top."""
    if not run.readings:
        raise ValueError("no reads to plot")
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.axvspan(run.stopped_at, run.replaced_at, color="0.85", label="cache node down")
    for index, source in enumerate(cache_outage.SOURCES):
        chosen = [r for r in run.readings if r.source == source]
        if chosen:
            ax.scatter([r.at for r in chosen], [r.seconds * 1000 for r in chosen], s=6, color=f"C{index}",
                       label=f"{source} (n={len(chosen)})")
    failed = [r for r in run.readings if r.source is None]
    if failed:
        ax.scatter([r.at for r in failed], [max(r.seconds * 1000, 1) for r in failed], marker="x",
                   color="red", label=f"failed (n={len(failed)})")
    ax.axvline(run.replaced_at, color="black", linestyle="--", linewidth=1)
    ax.text(run.replaced_at, 0.98, " new empty node", fontsize=8, va="top", transform=ax.get_xaxis_transform())
    ax.set_yscale("log")
    label_log_axis(ax.yaxis)
    ax.set_xlabel("time since the first read (s)")
    ax.set_ylabel("read latency (ms, log scale)")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=5, markerscale=2)
    fig.tight_layout()
    return fig
