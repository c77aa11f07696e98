import math

import pytest

from labkit import measure


def test_summary_in_milliseconds_counts_lost_samples():
    s = measure.summary_ms([0.001 * i for i in range(1, 101)] + [math.nan])
    assert s.n == 100 and s.lost == 1
    assert s.p50 == pytest.approx(50.5) and s.max == pytest.approx(100)
    assert s.p50 <= s.p95 <= s.p99 <= s.max


def test_nothing_to_summarise_is_an_error():
    with pytest.raises(ValueError, match="no sample"):
        measure.summary_ms([math.nan])


def test_table_has_a_row_per_series():
    table = measure.table_ms({"idle": [0.001, 0.002], "busy": [0.010, 0.020]})
    assert "| idle | 2 |" in table and "| busy | 2 |" in table
