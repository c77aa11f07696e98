import math

import matplotlib

matplotlib.use("Agg")

from labkit.cache.eviction import eviction_plots  # noqa: E402
from labkit.cache.eviction.eviction_run import Run, Sample, Workload  # noqa: E402
from labkit.cache.eviction.ttl_herd import Herd  # noqa: E402


def synthetic_run(policy="allkeys-lru") -> Run:
    samples = [Sample(t=i / 10, requests=100 * i, hits=60 * i, misses=40 * i, failed_writes=0, evicted=5 * i,
                      expired=i, used_memory=min(4, 1 + i) * 2**20, maxmemory=4 * 2**20) for i in range(6)]
    samples.append(Sample(0.7, 500, 300, 200, 0, 25, 5, 4 * 2**20, 4 * 2**20))  # an interval with no read
    return Run(Workload(policy=policy), samples, seconds=0.7)


def test_hit_ratio_over_time_is_per_interval():
    times, ratios = eviction_plots.hit_ratio_over_time(synthetic_run())
    assert times[0] == 0.1 and ratios[:5] == [0.6] * 5 and math.isnan(ratios[-1])


def test_every_figure_is_returned_with_its_panels():
    run = synthetic_run()
    assert len(eviction_plots.plot_run(run).axes) == 4
    fig = eviction_plots.plot_comparison({"a": run, "b": synthetic_run("noeviction")}, "title")
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 2
    herd = eviction_plots.plot_herd({"same TTL": Herd(0.0, 0.1, [0, 5, 0]), "jitter": Herd(0.5, 0.1, [1, 2, 2])})
    assert "peak 5" in herd.axes[0].get_legend().get_texts()[0].get_text()
