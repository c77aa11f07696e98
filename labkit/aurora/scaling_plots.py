"""Figures for read scaling: where connections landed, and replica lag over time with AWS's figure."""
from __future__ import annotations

from collections import Counter

import matplotlib.pyplot as plt
import numpy as np

from labkit.aurora.replay_lag import Timeline

AWS_LAG_LABEL = "AWS: Aurora Replicas usually lag much less than 100 ms"


def spread_bars(spreads: dict[str, Counter], title: str = "Which node served each new connection"):
    """Grouped bars: for each labelled experiment, connections served per node."""
    if not spreads:
        raise ValueError("nothing to draw: pass {label: Counter(node -> connections)}")
    nodes = sorted({node for counts in spreads.values() for node in counts})
    x = np.arange(len(nodes))
    width = 0.8 / len(spreads)
    fig, ax = plt.subplots(figsize=(8, 3.5))
    for k, (label, counts) in enumerate(spreads.items()):
        bars = ax.bar(x + (k - (len(spreads) - 1) / 2) * width, [counts.get(n, 0) for n in nodes],
                      width, label=f"{label} ({sum(counts.values())} connections)")
        ax.bar_label(bars, fontsize=8)
    ax.set_xticks(x, nodes)
    ax.set_ylabel("connections served")
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.set_ylim(0, ax.get_ylim()[1] * 1.2)
    fig.tight_layout()
    return fig


def replay_lag_timeline(timeline: Timeline, aws_ms: float = 100.0, aws_label: str = AWS_LAG_LABEL):
    """Bytes behind (top) and replay lag in ms (bottom) per replica over time, phases shaded."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 5), sharex=True)
    for replica in timeline.replicas():
        t, behind, ms = timeline.series(replica)
        top.plot(t, np.array(behind) / 1024, marker=".", markersize=3, linewidth=1, label=replica)
        bottom.plot(t, ms, marker=".", markersize=3, linewidth=1, label=replica)
    for k, (label, start, end) in enumerate(timeline.phases):
        for ax in (top, bottom):
            ax.axvspan(start, end, color="tab:orange" if "load" in label else "tab:gray",
                       alpha=0.15 if "load" in label else 0.05)
        top.text((start + end) / 2, 0.95, label, transform=top.get_xaxis_transform(),
                 ha="center", va="top", fontsize=8)
    bottom.axhline(aws_ms, color="black", linestyle="--", linewidth=1)
    bottom.text(0.01, aws_ms, " " + aws_label, fontsize=8, va="bottom",
                transform=bottom.get_yaxis_transform())
    bottom.set_ylim(0, max(aws_ms * 1.3, bottom.get_ylim()[1]))
    top.set_ylabel("WAL not yet\nreplayed (KiB)")
    bottom.set_ylabel("replay lag (ms)")
    bottom.set_xlabel(f"seconds (one reading of pg_stat_replication every "
                      f"{timeline.interval * 1000:.0f} ms)")
    top.set_title("Replica lag on this machine, as the writer reports it")
    top.legend(fontsize=8, loc="center right")
    fig.tight_layout()
    return fig
