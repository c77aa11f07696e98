import matplotlib

matplotlib.use("Agg")

from collections import Counter  # noqa: E402

from labkit.cache.strategies import strategy_plots  # noqa: E402
from labkit.cache.strategies.staleness import StaleWindow  # noqa: E402
from labkit.cache.strategies.strategy_comparison import CacheStock, StrategyRun  # noqa: E402


def test_stale_windows_draw_one_bar_each_and_mark_only_the_ttls():
    fig = strategy_plots.plot_stale_windows([StaleWindow("ttl 1", 1.0, 0.99, 90),
                                             StaleWindow("write-through", None, 0.0, 0)])
    ax = fig.axes[0]
    assert [round(p.get_width(), 2) for p in ax.patches] == [0.99, 0.0]
    assert list(ax.get_lines()[0].get_xdata()) == [1.0]


def test_costs_split_memory_into_read_and_never_read():
    run = StrategyRun("wt", 0.5, 1, [0.001, 0.002], 1, 2, Counter(db_writes=2),
                      CacheStock(keys=3, bytes=3072, never_read_keys=2, never_read_bytes=2048))
    fig = strategy_plots.plot_costs([run])
    stale_ax, memory_ax = fig.axes
    assert stale_ax.patches[0].get_width() == 50.0
    assert [p.get_width() for p in memory_ax.patches] == [1.0, 2.0]
