from collections import Counter

import matplotlib
import pytest

matplotlib.use("Agg")

from labkit.aurora import scaling_plots  # noqa: E402
from test_replay_lag import sample_timeline  # noqa: E402


def test_spread_bars_draws_one_group_per_experiment():
    fig = scaling_plots.spread_bars({"2 readers": Counter({"pg-node2": 5, "pg-node3": 5}),
                                     "3 readers": Counter({"pg-node2": 3, "pg-node3": 3, "pg-node4": 4})})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["pg-node2", "pg-node3", "pg-node4"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["2 readers (10 connections)",
                                                                  "3 readers (10 connections)"]
    assert len(ax.patches) == 6


def test_spread_bars_needs_data():
    with pytest.raises(ValueError, match="nothing to draw"):
        scaling_plots.spread_bars({})


def test_replay_lag_timeline_draws_each_replica_and_the_aws_line():
    fig = scaling_plots.replay_lag_timeline(sample_timeline())
    top, bottom = fig.axes
    assert [t.get_text() for t in top.get_legend().get_texts()] == ["pg-node2", "pg-node3"]
    assert any(list(line.get_ydata()) == [100.0, 100.0] for line in bottom.get_lines())
    assert {t.get_text() for t in top.texts} == {"idle", "write load", "idle again"}
