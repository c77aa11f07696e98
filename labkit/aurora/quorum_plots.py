"""Figures of the quorum model: availability against per-copy failure probability, and the risk
of losing a quorum while a copy is being repaired, against the repair time."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from labkit.aurora import quorum


def availability_figure(results: list[quorum.Availability], trials: int | None = None):
    """Left: availability (Monte Carlo dots, exact binomial lines). Right: unavailability, log-log.

    On the right, dots appear only where the simulation saw at least one outage; the lines carry
    on below what ``trials`` draws can resolve.
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for result in results:
        ps, sim, scheme = result.p, result.simulated, result.scheme
        exact = quorum.exact_availability(ps, scheme.copies, scheme.rule)
        line, = left.plot(ps, exact, linewidth=1, label=scheme.label)
        right.plot(ps, 1 - exact, linewidth=1, color=line.get_color())
        left.plot(ps, sim, "o", markersize=3, color=line.get_color())
        seen = sim < 1
        right.plot(ps[seen], 1 - sim[seen], "o", markersize=3, color=line.get_color())
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_xlabel("probability that one copy is down, p (log scale)")
        ax.grid(True, which="major", alpha=0.3)
    left.set_ylabel("availability: P(quorum up)")
    left.legend(fontsize=8, loc="lower left")
    right.set_yscale("log")
    right.set_ylabel("unavailability: P(quorum lost), log scale")
    floor = 1 / trials if trials else None
    if floor:
        right.axhline(floor, color="grey", linestyle=":", linewidth=1)
        right.text(results[0].p[-1], floor, f"one outage in {trials:,} trials ", fontsize=7, va="top", ha="right",
                   color="grey")
    fig.suptitle("Quorum availability, copies failing independently (dots: Monte Carlo, lines: exact)")
    fig.tight_layout()
    return fig


def repair_figure(repair_seconds, curves: dict[str, np.ndarray], marks: dict[str, float]):
    """Risk of losing a quorum during the repair window, log-log, with vertical lines at ``marks``."""
    seconds = np.asarray(repair_seconds, dtype=float)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for label, risk in curves.items():
        ax.plot(seconds, risk, linewidth=1.5, label=label)
    for label, at in marks.items():
        ax.axvline(at, color="black", linestyle="--", linewidth=0.8)
        ax.text(at, 0.98, f" {label}", rotation=90, fontsize=7, va="top", ha="right",
                transform=ax.get_xaxis_transform())
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("time to repair the failed copies (seconds, log scale)")
    ax.set_ylabel("P(quorum lost before repair ends), log scale")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Faster repair shrinks the window for further failures")
    fig.tight_layout()
    return fig
