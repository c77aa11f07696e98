"""Figures of the session store lab: the sliding TTL, and the requests around a failover."""
from __future__ import annotations

import matplotlib.pyplot as plt

from labkit.cache.sessions.session_store import FailoverTrial, TtlTrace
from labkit.figures import label_log_axis

OUTCOME_COLOURS = {"recognised": "tab:green", "asked to log in": "tab:orange", "error": "tab:red"}
INSTANCE_MARKERS = {"web-app1": "o", "web-app2": "s"}


def plot_sliding_ttl(trace: TtlTrace):
    """PTTL of the session key (s) over time, each visit marked, the idle phase shaded."""
    fig, ax = plt.subplots(figsize=(8, 3.6))
    alive = [(t, ms / 1000) for t, ms in trace.samples if ms >= 0]
    ax.plot([t for t, _ in alive], [s for _, s in alive], ".-", markersize=3, label="PTTL of the key")
    for v in trace.visits + trace.after_idle:
        ax.axvline(v.start, color=OUTCOME_COLOURS[v.outcome], linewidth=0.8, alpha=0.7)
    ax.axhline(trace.lifetime_s, color="black", linestyle="--", linewidth=1)
    ax.text(0, trace.lifetime_s, f" session lifetime {trace.lifetime_s} s", va="bottom", fontsize=8)
    end = trace.after_idle[0].start
    ax.axvspan(trace.idle_from, end, color="grey", alpha=0.15, label="idle")
    if trace.gone_at is not None:
        ax.axvline(trace.gone_at, color="black", linewidth=1.5, label="key gone (PTTL -2)")
    ax.plot([], [], color=OUTCOME_COLOURS["recognised"], label="visit: recognised")
    ax.plot([], [], color=OUTCOME_COLOURS["asked to log in"], label="visit: asked to log in")
    ax.set_ylim(0, trace.lifetime_s * 1.35)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("time to live left (s)")
    ax.set_title("Each request pushes the session's expiry forward; idling lets it expire")
    ax.legend(fontsize=8, loc="upper right", ncols=3)
    fig.tight_layout()
    return fig


def plot_failover(trial: FailoverTrial):
    """Latency of every visit (ms, log scale) coloured by outcome, crash and promotion marked."""
    fig, ax = plt.subplots(figsize=(8, 3.8))
    for outcome, colour in OUTCOME_COLOURS.items():
        for instance, marker in INSTANCE_MARKERS.items():
            pts = [v for v in trial.visits if v.outcome == outcome and v.instance == instance]
            if pts:
                ax.scatter([v.start for v in pts], [v.seconds * 1000 for v in pts], s=16,
                           color=colour, marker=marker, label=f"{instance}: {outcome}")
    ax.axvline(trial.crash_at, color="black", linewidth=1.5)
    ax.text(trial.crash_at, 1.0, f" {trial.old_primary} killed", transform=ax.get_xaxis_transform(),
            fontsize=8, va="top")
    ax.axvline(trial.promoted_at, color="black", linestyle="--", linewidth=1)
    ax.text(trial.promoted_at, 0.9, f" {trial.new_primary} promoted",
            transform=ax.get_xaxis_transform(), fontsize=8, va="top")
    if trial.outage.bad_visits:
        ax.axvspan(trial.outage.start, trial.outage.end, color="red", alpha=0.1,
                   label=f"outage {trial.outage.seconds:.1f} s")
    ax.set_yscale("log")
    label_log_axis(ax.yaxis)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("request latency (ms, log scale)")
    ax.set_title("GET /whoami on both instances while Redis fails over")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return fig
