"""Figures of what the RDS Proxy labs measured."""
from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt

from labkit import figures

PATH_COLOURS = ("tab:red", "tab:blue", "tab:green", "tab:purple")


def _by_path(points: list) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for p in points:
        grouped.setdefault(p.path, []).append(p)
    return {path: sorted(mine, key=lambda p: p.clients) for path, mine in grouped.items()}


def storm(points: list, max_connections: int):
    """Four panels against the number of clients (``storm.Point``), one line per path: the
    writer's client backends (the sampled peak, with its ``max_connections``), the sessions it
    started per second, request latency p50 and p99, and requests served and refused per second."""
    fig, ((back_ax, new_ax), (lat_ax, rate_ax)) = plt.subplots(2, 2, figsize=(11, 7))
    for (path, mine), colour in zip(_by_path(points).items(), PATH_COLOURS):
        clients = [p.clients for p in mine]
        back_ax.plot(clients, [p.use.peak_backends for p in mine], "o-", color=colour, label=path)
        new_ax.plot(clients, [p.use.sessions / p.seconds for p in mine], "o-", color=colour, label=path)
        served = [p for p in mine if p.requests]
        lat_ax.plot([p.clients for p in served], [p.p50_ms for p in served], "o-", color=colour, label=f"{path} p50")
        lat_ax.plot([p.clients for p in served], [p.p99_ms for p in served], "o--", color=colour, alpha=0.6,
                    label=f"{path} p99")
        rate_ax.plot(clients, [p.per_second for p in mine], "o-", color=colour, label=f"{path} served")
        rate_ax.plot(clients, [p.refused / p.seconds for p in mine], "x:", color=colour, label=f"{path} refused")
    back_ax.axhline(max_connections, color="black", linestyle=":", linewidth=1)
    back_ax.text(back_ax.get_xlim()[0], max_connections, " max_connections", fontsize=8, va="bottom")
    back_ax.set_ylabel("client backends on the writer (sampled peak)")
    new_ax.set_ylabel("server sessions started per second")
    lat_ax.set_yscale("log")
    figures.label_log_axis(lat_ax.yaxis)
    lat_ax.set_ylabel("request latency, connect included (ms)")
    rate_ax.set_ylabel("requests per second")
    for ax in (back_ax, new_ax, lat_ax, rate_ax):
        ax.set_xlabel("clients, each opening a connection per request")
        ax.legend(fontsize=7)
    fig.suptitle("A connection storm, straight at the writer and through the proxy")
    fig.tight_layout()
    return fig


def pinning(points: list, busy: float, model: Callable[[int, int, float], float]):
    """Server connections in use (peak and mean) against the share of pinned clients
    (``pinning.Point``), with the labelled model's line."""
    fig, ax = plt.subplots(figsize=(6.5, 4))
    share = [100 * p.pinned_share for p in points]
    ax.plot(share, [p.peak_servers for p in points], "o-", color="tab:red", label="measured: peak")
    ax.plot(share, [p.mean_servers for p in points], "o-", color="tab:blue", label="measured: mean")
    ax.plot(share, [model(p.clients, p.pinned, busy) for p in points], "k:",
            label=f"MODEL: pinned + others x {busy:.0%} busy")
    ax.axhline(points[0].clients, color="grey", linewidth=0.8)
    ax.text(0, points[0].clients, " one per client (no pooling)", fontsize=8, va="bottom")
    ax.set_xlabel("pinned clients (%)")
    ax.set_ylabel("server connections in use")
    ax.set_title(f"{points[0].clients} clients through the proxy", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
