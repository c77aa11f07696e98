"""Time the same read many times, so a page can set a cache hit beside a database read.

One sample is noise on a shared laptop; percentiles of many (``labkit.measure.table_ms``) are
what a page prints.
"""
from __future__ import annotations

import time
from collections.abc import Callable


def sample(call: Callable[[], object], repeat: int = 50) -> list[float]:
    """Seconds taken by each of ``repeat`` successive calls of ``call``."""
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1 (got {repeat})")
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return seconds
