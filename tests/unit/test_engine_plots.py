import matplotlib
import pytest

matplotlib.use("Agg")

from labkit.cache.engines import engine_plots  # noqa: E402
from labkit.cache.engines.engine_throughput import Rate  # noqa: E402


def test_throughput_bars_draw_a_bar_per_engine_and_thread_count():
    rates = [Rate(e, n, 1000 * n, 1.0) for n in (1, 2, 4) for e in ("Redis", "Memcached")]
    ax = engine_plots.throughput_bars(rates, cores=2).axes[0]
    assert len(ax.patches) == 6
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "4"]
    assert "2 cores" in ax.get_title()


def test_hit_ratio_bars_draw_every_phase():
    ax = engine_plots.hit_ratio_bars({"up": 1.0, "down": 0.5}).axes[0]
    assert [p.get_width() for p in ax.patches] == [50.0, 100.0]


@pytest.mark.parametrize("draw", [lambda: engine_plots.throughput_bars([], 2),
                                  lambda: engine_plots.hit_ratio_bars({})])
def test_plots_need_data(draw):
    with pytest.raises(ValueError, match="nothing to draw"):
        draw()
