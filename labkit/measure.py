"""Summaries of measured samples: percentiles in milliseconds, ignoring samples that never arrived."""
from __future__ import annotations

import math

import numpy as np


def summary_ms(seconds: list[float]) -> dict[str, float]:
    """n, lost (NaN samples), p50, p95, p99 and max in ms."""
    arr = np.array([s for s in seconds if not math.isnan(s)]) * 1000.0
    if arr.size == 0:
        raise ValueError("no sample arrived: nothing to summarise")
    p50, p95, p99 = np.percentile(arr, [50, 95, 99])
    return {"n": int(arr.size), "lost": len(seconds) - int(arr.size), "p50": float(p50), "p95": float(p95),
            "p99": float(p99), "max": float(arr.max())}


def table_ms(rows: dict[str, list[float]]) -> str:
    """A Markdown table of summary_ms per labelled series."""
    lines = ["| series | samples | p50 ms | p95 ms | p99 ms | max ms |", "|---|---:|---:|---:|---:|---:|"]
    for label, seconds in rows.items():
        s = summary_ms(seconds)
        lines.append(f"| {label} | {s['n']} | {s['p50']:.1f} | {s['p95']:.1f} | {s['p99']:.1f} | {s['max']:.1f} |")
    return "\n".join(lines)
