"""Durability trials: counting lost writes, and the tables a lab prints, without servers."""
import pytest
from cache_fakes import FakeRedis

from labkit.memorydb import durability


def _trial(mode, number, acknowledged, in_cut, lost, failover_s=2.5, **errors):
    return durability.Trial(mode, number, "memorydb-node1", "memorydb-node2", acknowledged, in_cut, lost,
                            errors, failover_s, 1000.0, [0.0001 * (i + 1) for i in range(100)])


TRIALS = [_trial("a: async", 1, 1000, 300, 302, ConnectionError=10),
          _trial("c: WAIT", 1, 800, 0, 0, NotDurable=4),
          _trial("a: async", 2, 1200, 100, 100, failover_s=3.5),
          _trial("c: WAIT", 2, 900, 1, 0)]


def test_missing_lists_the_acknowledged_keys_the_new_primary_lacks():
    node = FakeRedis()
    keys = [f"k{i}" for i in range(2500)]  # more than one MGET batch
    for key in keys[::2]:
        node.set(key, "v")
    assert durability.missing(node, keys) == keys[1::2]


def test_the_summary_adds_up_each_mode():
    summary = durability.summary(TRIALS)
    assert list(summary) == ["a: async", "c: WAIT"]
    a, c = summary["a: async"], summary["c: WAIT"]
    assert (a.trials, a.acknowledged, a.in_cut, a.lost, a.worst, a.losing_trials) == (2, 2200, 400, 402, 302, 2)
    assert (c.lost, c.losing_trials, c.in_cut) == (0, 0, 1)
    assert a.failover_s == 3.0 and a.p50_ms == pytest.approx(5.05)


def test_the_tables_show_one_row_per_trial_and_per_mode():
    rows = durability.trial_table(TRIALS).splitlines()
    assert len(rows) == 2 + len(TRIALS)
    assert "ConnectionError 10" in rows[2] and "NotDurable 4" in rows[3] and rows[4].endswith("| none |")
    assert "memorydb-node1 → memorydb-node2" in rows[2]
    summary_rows = durability.summary_table(TRIALS).splitlines()
    assert len(summary_rows) == 4 and "| 2 of 2 |" in summary_rows[2] and "| 0 of 2 |" in summary_rows[3]


@pytest.mark.parametrize("trials", [{}, {"a": 0}, {"z": 1}])
def test_trials_need_a_known_mode_and_at_least_one_trial(trials):
    modes = [durability.Mode("a", write=lambda r, key: None)]
    with pytest.raises(ValueError, match="need at least one trial"):
        durability.run_trials(modes, client=None, trials=trials, prefix="t:")


def test_a_trial_reports_its_write_latency_percentiles():
    assert TRIALS[0].p50_ms == pytest.approx(5.05) and TRIALS[0].p99_ms == pytest.approx(9.901)
