"""Figures of what the labs measured, with AWS's published figure drawn beside the local one."""
from __future__ import annotations

import math

import matplotlib.pyplot as plt
import matplotlib.ticker as ticker
import numpy as np


def lag_histogram(series: dict[str, list[float]], aws_ms: float = 100.0,
                  aws_label: str = "AWS: Aurora Replicas usually lag much less than 100 ms",
                  title: str = "Replica lag measured on this machine"):
    """Histogram (log-scaled ms) of lag samples per series, with a line at AWS's figure."""
    values = {k: np.array([s for s in v if not math.isnan(s)]) * 1000 for k, v in series.items()}
    low = max(min(v.min() for v in values.values() if v.size), 0.01)
    high = max(max(v.max() for v in values.values() if v.size), aws_ms) * 1.5
    bins = np.logspace(np.log10(low), np.log10(high), 40)
    fig, ax = plt.subplots(figsize=(8, 4))
    for label, v in values.items():
        ax.hist(v, bins=bins, alpha=0.55, label=f"{label} (n={v.size})")
    ax.axvline(aws_ms, color="black", linestyle="--", linewidth=1)
    ax.text(aws_ms, 0.97, aws_label + " ", fontsize=8, va="top", ha="right", transform=ax.get_xaxis_transform())
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda x, _: f"{x:g}"))
    ax.set_xlabel("time until a committed row is visible on the replica (ms, log scale)")
    ax.set_ylabel("samples")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left")
    ax.set_ylim(0, ax.get_ylim()[1] * 1.25)  # room for the legend and the AWS label
    fig.tight_layout()
    return fig
