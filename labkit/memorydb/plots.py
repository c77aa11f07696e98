"""Figures of what the MemoryDB labs measured; AWS's figures, where there are any, drawn beside them."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from labkit import figures

MODE_COLOURS = ("tab:red", "tab:orange", "tab:blue", "tab:green", "tab:purple")


def _colours(modes: list[str]) -> dict[str, str]:
    return {mode: MODE_COLOURS[i % len(MODE_COLOURS)] for i, mode in enumerate(dict.fromkeys(modes))}


def trials(results: list):
    """Acknowledged and lost writes of each durability trial (``durability.Trial``), in run order."""
    colours = _colours([t.mode for t in results])
    x = np.arange(len(results))
    fig, ax = plt.subplots(figsize=(9, 3.8))
    ax.bar(x - 0.2, [t.acknowledged for t in results], 0.4, color=[colours[t.mode] for t in results], alpha=0.35,
           edgecolor="black", linewidth=0.5)
    ax.bar(x + 0.2, [t.lost for t in results], 0.4, color=[colours[t.mode] for t in results],
           edgecolor="black", linewidth=0.5)
    for i, t in enumerate(results):
        ax.text(x[i] + 0.2, t.lost, f"{t.lost}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, [f"{t.mode.split(':')[0]} #{t.number}" for t in results], fontsize=8)
    ax.set_ylabel("writes")
    ax.set_title("Each trial: acknowledged writes (pale) and, of them, lost with the primary (solid)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colours.values()]
    ax.legend(handles, list(colours), fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig


def latency_vs_clients(costs: list, aws_write_ms: float = 10.0):
    """Write latency p50 (line) and p99 (dashed) per mode against the number of clients
    (``cost.Cost``), with the top of AWS's "single-digit millisecond" writes for reference."""
    colours = _colours([c.mode for c in costs])
    fig, (lat_ax, rate_ax) = plt.subplots(1, 2, figsize=(10, 3.8))
    for mode, colour in colours.items():
        mine = sorted((c for c in costs if c.mode == mode), key=lambda c: c.clients)
        clients = [c.clients for c in mine]
        lat_ax.plot(clients, [c.p50_ms for c in mine], "o-", color=colour, label=f"{mode} p50")
        lat_ax.plot(clients, [c.p99_ms for c in mine], "o--", color=colour, alpha=0.6, label=f"{mode} p99")
        rate_ax.plot(clients, [c.per_second for c in mine], "o-", color=colour, label=mode)
    lat_ax.axhline(aws_write_ms, color="black", linestyle=":", linewidth=1)
    lat_ax.text(lat_ax.get_xlim()[0], aws_write_ms, " AWS: single-digit ms writes (below this line)", fontsize=8,
                va="bottom")
    lat_ax.set_yscale("log")
    figures.label_log_axis(lat_ax.yaxis)
    lat_ax.set_ylabel("write latency (ms, log scale)")
    rate_ax.set_ylabel("acknowledged writes per second")
    for ax in (lat_ax, rate_ax):
        ax.set_xscale("log", base=2)
        ax.xaxis.set_major_formatter(figures.PLAIN)
        ax.set_xlabel("concurrent clients")
        ax.legend(fontsize=7)
    fig.suptitle("What each mode costs, measured on this machine")
    fig.tight_layout()
    return fig
