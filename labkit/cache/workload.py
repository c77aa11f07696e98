"""Which keys a workload asks for: a few hot keys (Zipf) or all keys alike (uniform).

"Few keys are frequently needed" is what makes a cache pay; a Zipf law with exponent ``s``
near 1 is the usual model of it (product views, page hits). Uniform access over a large key
space is the notes' anti-pattern.
"""
from __future__ import annotations

import numpy as np


def zipf(n_keys: int, size: int, s: float = 1.1, seed: int = 7) -> np.ndarray:
    """``size`` key ids in 1..n_keys, id k drawn with probability proportional to 1/rank(k)**s.

    Ranks are shuffled over the ids, so the hot keys are not simply the lowest ids.
    """
    if n_keys < 1 or size < 0 or s <= 0:
        raise ValueError(f"need n_keys >= 1, size >= 0 and s > 0 (got {n_keys}, {size}, {s})")
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, n_keys + 1) ** s
    ranks = rng.choice(n_keys, size=size, p=weights / weights.sum())
    return rng.permutation(n_keys)[ranks] + 1


def uniform(n_keys: int, size: int, seed: int = 7) -> np.ndarray:
    """``size`` key ids in 1..n_keys, every id equally likely."""
    if n_keys < 1 or size < 0:
        raise ValueError(f"need n_keys >= 1 and size >= 0 (got {n_keys}, {size})")
    return np.random.default_rng(seed).integers(1, n_keys + 1, size=size)


def top_share(keys: np.ndarray, fraction: float) -> float:
    """Share of all requests that go to the most requested ``fraction`` of the distinct keys."""
    _, counts = np.unique(keys, return_counts=True)
    counts.sort()
    top = max(1, int(round(len(counts) * fraction)))
    return float(counts[-top:].sum() / counts.sum())
