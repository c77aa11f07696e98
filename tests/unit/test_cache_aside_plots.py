import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from labkit.cache.strategies import cache_aside_plots as plots  # noqa: E402
from labkit.cache.strategies import read_steps  # noqa: E402
from labkit.cache.strategies import cache_outage, hit_ratio


def reads():
    steps = {read_steps.GET: 0.0002, read_steps.QUERY: 0.004, read_steps.SET: 0.0003}
    return [read_steps.Read(read_steps.DATABASE_ONLY, 0.004, {read_steps.QUERY: 0.004}),
            read_steps.Read(read_steps.MISS, 0.0046, steps),
            read_steps.Read(read_steps.HIT, 0.0003, {read_steps.GET: 0.0003})]


def test_latency_plot_has_a_log_distribution_and_stacked_steps():
    fig = plots.latency_plot(reads())
    dist, parts = fig.axes
    assert dist.get_xscale() == "log"
    assert [t.get_text() for t in dist.get_yticklabels()][1] == "cache miss\n(n=1)"
    assert len(parts.patches) == 9  # three steps per kind, zero-width where a kind skips one
    assert [t.get_text() for t in parts.get_legend().get_texts()] == list(read_steps.STEPS)


def test_latency_plot_refuses_no_reads():
    with pytest.raises(ValueError, match="no reads"):
        plots.latency_plot([])


def test_hit_ratio_plot_draws_one_line_per_scenario():
    results = {"Zipf": hit_ratio.Replay([False, True, True, True], 2),
               "uniform": hit_ratio.Replay([False, False, False, True], 4)}
    ax = plots.hit_ratio_plot(results, window=2).axes[0]
    assert [line.get_ydata().tolist() for line in ax.get_lines()] == [[0.5, 1.0], [0.0, 0.5]]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Zipf (overall 75%)", "uniform (overall 25%)"]


def test_outage_plot_shades_the_outage_and_marks_failures():
    run = cache_outage.OutageRun([cache_outage.Reading(0.0, 0.005, cache_outage.MISS),
                                  cache_outage.Reading(0.1, 0.0003, cache_outage.HIT),
                                  cache_outage.Reading(0.3, 0.006, None, "OperationalError: gone"),
                                  cache_outage.Reading(0.4, 0.006, cache_outage.CACHE_DOWN)],
                                 stopped_at=0.2, replaced_at=0.5)
    ax = plots.outage_plot(run).axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "cache node down" and "failed (n=1)" in labels
    assert ax.get_yscale() == "log"
