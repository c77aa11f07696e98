"""Figures for the Redis vs Memcached lab: throughput per client threads, hit ratio per phase."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from labkit.cache.engines.engine_throughput import Rate


def throughput_bars(rates: list[Rate], cores: int):
    """Grouped bars: operations per second per engine for each number of client threads."""
    if not rates:
        raise ValueError("nothing to draw: pass the Rate list engine_throughput.sweep returned")
    engines = list(dict.fromkeys(r.engine for r in rates))
    counts = sorted({r.threads for r in rates})
    by = {(r.engine, r.threads): r.per_second for r in rates}
    x = np.arange(len(counts))
    width = 0.8 / len(engines)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for k, engine in enumerate(engines):
        bars = ax.bar(x + (k - (len(engines) - 1) / 2) * width, [by.get((engine, n), 0) for n in counts],
                      width, label=engine)
        ax.bar_label(bars, fmt="{:,.0f}", fontsize=8)
    ax.set_xticks(x, [str(n) for n in counts])
    ax.set_xlabel("client threads, one connection each")
    ax.set_ylabel("GET + SET operations per second")
    ax.set_title(f"Throughput on this machine ({cores} cores shared by clients and servers)")
    ax.legend(fontsize=8)
    ax.set_ylim(0, ax.get_ylim()[1] * 1.15)
    fig.tight_layout()
    return fig


def hit_ratio_bars(phases: dict[str, float], title: str = "Memcached hit ratio as a node is lost"):
    """One horizontal bar per phase: the share of reads that found their key."""
    if not phases:
        raise ValueError("nothing to draw: pass {phase: hit ratio}")
    fig, ax = plt.subplots(figsize=(7, 0.6 * len(phases) + 1.2))
    labels = list(phases)[::-1]
    bars = ax.barh(labels, [phases[p] * 100 for p in labels], color="tab:blue")
    ax.bar_label(bars, fmt="{:.0f}%", fontsize=8, padding=2)
    ax.set_xlim(0, 110)
    ax.set_xlabel("reads that hit (%)")
    ax.set_title(title)
    fig.tight_layout()
    return fig
