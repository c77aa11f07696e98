"""The MemoryDB figures draw what they are given."""
import matplotlib

matplotlib.use("Agg")

from labkit.memorydb import cost, durability, plots  # noqa: E402


def test_the_trials_figure_has_two_bars_per_trial():
    trials = [durability.Trial(m, 1, "memorydb-node1", "memorydb-node2", 100, 10, lost, {}, 2.0, 500.0, [0.001])
              for m, lost in (("a: async", 12), ("c: WAIT", 0))]
    fig = plots.trials(trials)
    assert len(fig.axes[0].patches) == 4
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["a #1", "c #1"]


def test_the_cost_figure_has_a_line_per_mode_and_percentile():
    costs = [cost.Cost(m, n, 100 * n, 0.5, [0.0001 * n, 0.0002 * n]) for m in ("a", "c") for n in (1, 4)]
    fig = plots.latency_vs_clients(costs)
    latency, rate = fig.axes
    assert len(latency.get_lines()) == 2 * 2 + 1  # p50 and p99 per mode, and AWS's line
    assert len(rate.get_lines()) == 2
