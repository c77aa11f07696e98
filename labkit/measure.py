"""Summaries of measured samples: percentiles in milliseconds, ignoring samples that never arrived."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from labkit import tables


@dataclass(frozen=True)
class Summary:
    """Samples that arrived (n), samples that never did (lost), and percentiles in ms."""
    n: int
    lost: int
    p50: float
    p95: float
    p99: float
    max: float


def summary_ms(seconds: list[float]) -> Summary:
    """The ``Summary`` of ``seconds``; a NaN sample counts as lost."""
    arr = np.array([s for s in seconds if not math.isnan(s)]) * 1000.0
    if arr.size == 0:
        raise ValueError("no sample arrived: nothing to summarise")
    p50, p95, p99 = np.percentile(arr, [50, 95, 99])
    return Summary(int(arr.size), len(seconds) - int(arr.size), float(p50), float(p95), float(p99),
                   float(arr.max()))


class Percentiles:
    """``p50_ms`` and ``p99_ms`` of a result's ``latency_s`` samples (seconds), for the result
    dataclasses of the labs."""
    latency_s: list[float]

    @property
    def p50_ms(self) -> float:
        return summary_ms(self.latency_s).p50

    @property
    def p99_ms(self) -> float:
        return summary_ms(self.latency_s).p99


def table_ms(rows: dict[str, list[float]]) -> str:
    """A Markdown table of summary_ms per labelled series."""
    summaries = {label: summary_ms(seconds) for label, seconds in rows.items()}
    return tables.markdown(["series", "samples", "p50 ms", "p95 ms", "p99 ms", "max ms"],
                           [[label, s.n, *(f"{v:.1f}" for v in (s.p50, s.p95, s.p99, s.max))]
                            for label, s in summaries.items()], align="lrrrrr")
