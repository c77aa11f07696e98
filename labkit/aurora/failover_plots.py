"""The outage per failover cause, as measured here, against AWS's published Aurora figures."""
from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker as ticker
import numpy as np

# "typically restored in less than 60 seconds, and often less than 30 seconds"
# ("High availability for Amazon Aurora", Concepts.AuroraHighAvailability.html)
AWS_LINES = {60.0: "AWS: typically restored in less than 60 s",
             30.0: "AWS: often less than 30 s"}


def outage_plot(samples: dict[str, list[float]], title: str = "Client-visible outage per cause"):
    """Box plot plus every trial as a dot (seconds, log scale), one column per cause."""
    if not samples or not all(samples.values()):
        raise ValueError(f"need at least one outage per cause, got {samples}")
    labels = list(samples)
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.boxplot([samples[k] for k in labels], widths=0.4, showfliers=False)
    rng = np.random.default_rng(0)  # the same horizontal jitter on every run
    for i, label in enumerate(labels, start=1):
        values = samples[label]
        ax.scatter(i + rng.uniform(-0.12, 0.12, len(values)), values, zorder=3, s=22)
    for seconds, text in AWS_LINES.items():
        ax.axhline(seconds, color="black", linestyle="--", linewidth=1)
        ax.text(0.02, seconds, " " + text, fontsize=8, va="bottom", transform=ax.get_yaxis_transform())
    ax.set_xticks(range(1, len(labels) + 1), [f"{k}\n(n={len(samples[k])})" for k in labels])
    ax.set_yscale("log")
    low = min(min(v) for v in samples.values())
    ax.set_ylim(min(low, 1.0) / 2, 120)
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda y, _: f"{y:g}"))
    ax.set_ylabel("outage seen by the client (s, log scale)")
    ax.set_title(title)
    fig.tight_layout()
    return fig
