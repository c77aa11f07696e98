"""volume_growth: sizes in Aurora segment terms (no servers)."""
from __future__ import annotations

from labkit.aurora.volume_growth import SEGMENT, Step


def test_a_small_table_takes_one_segment():
    assert Step("x", 10, 16384).segments == 1
    assert Step("empty", 0, 0).segments == 1


def test_segments_round_up():
    assert Step("x", 0, SEGMENT).segments == 1
    assert Step("x", 0, SEGMENT + 1).segments == 2
