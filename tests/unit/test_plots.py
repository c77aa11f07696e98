import matplotlib

matplotlib.use("Agg")

from labkit.aurora import plots  # noqa: E402


def test_lag_histogram_draws_each_series_and_the_aws_line():
    fig = plots.lag_histogram({"idle": [0.002, 0.003, 0.004], "busy": [0.02, 0.05, float("nan")]})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["idle (n=3)", "busy (n=2)"]
    assert any(list(line.get_xdata()) == [100.0, 100.0] for line in ax.get_lines())
    assert ax.get_xscale() == "log"
