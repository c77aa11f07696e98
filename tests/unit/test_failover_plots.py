import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from labkit.aurora.failover_plots import outage_plot  # noqa: E402


def test_one_column_per_cause_with_the_aws_lines():
    fig = outage_plot({"postmaster crash": [1.2, 2.0, 3.1], "whole node crash": [21.0]})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["postmaster crash\n(n=3)", "whole node crash\n(n=1)"]
    assert {line.get_ydata()[0] for line in ax.get_lines() if list(line.get_xdata()) == [0, 1]} >= {30.0, 60.0}
    assert ax.get_yscale() == "log"


def test_a_cause_without_trials_is_refused():
    with pytest.raises(ValueError, match="at least one outage"):
        outage_plot({"postmaster crash": []})
