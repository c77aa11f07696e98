"""Summaries of measured samples: percentiles in milliseconds, ignoring samples that never arrived."""
from __future__ import annotations

import math

import numpy as np

from labkit import tables


def summary_ms(seconds: list[float]) -> dict[str, float]:
    """n, lost (NaN samples), p50, p95, p99 and max in ms."""
    arr = np.array([s for s in seconds if not math.isnan(s)]) * 1000.0
    if arr.size == 0:
        raise ValueError("no sample arrived: nothing to summarise")
    p50, p95, p99 = np.percentile(arr, [50, 95, 99])
    return {"n": int(arr.size), "lost": len(seconds) - int(arr.size), "p50": float(p50), "p95": float(p95),
            "p99": float(p99), "max": float(arr.max())}


class Percentiles:
    """``p50_ms`` and ``p99_ms`` of a result's ``latency_s`` samples (seconds), for the result
    dataclasses of the labs."""
    latency_s: list[float]

    @property
    def p50_ms(self) -> float:
        return summary_ms(self.latency_s)["p50"]

    @property
    def p99_ms(self) -> float:
        return summary_ms(self.latency_s)["p99"]


def table_ms(rows: dict[str, list[float]]) -> str:
    """A Markdown table of summary_ms per labelled series."""
    summaries = {label: summary_ms(seconds) for label, seconds in rows.items()}
    return tables.markdown(["series", "samples", "p50 ms", "p95 ms", "p99 ms", "max ms"],
                           [[label, s["n"], *(f"{s[k]:.1f}" for k in ("p50", "p95", "p99", "max"))]
                            for label, s in summaries.items()], align="lrrrrr")
