import matplotlib

matplotlib.use("Agg")

from labkit.cache.eviction import eviction_explorer  # noqa: E402
from test_eviction_plots import synthetic_run  # noqa: E402


def test_run_button_runs_the_chosen_workload_and_shows_table_and_plot():
    seen = []
    explorer = eviction_explorer.EvictionExplorer(runner=lambda w: seen.append(w) or synthetic_run(w.policy))
    assert "No run yet" in explorer.status.value
    explorer.policy.value = "noeviction"
    explorer.ttl_share.value = 0.0
    explorer.ttl_range.value = (1.0, 2.0)
    explorer.run_button.click()
    assert seen[0].policy == "noeviction" and seen[0].ttl_share == 0 and seen[0].ttl_range == (1.0, 2.0)
    assert bytes(explorer.plot.value)[:4] == b"\x89PNG"
    assert explorer.status.value.count("<tr>") == 2 and "noeviction" in explorer.status.value
    explorer.policy.value = "allkeys-lfu"
    explorer.run()
    assert explorer.status.value.index("allkeys-lfu") < explorer.status.value.index("noeviction")  # newest first
    assert not explorer.run_button.disabled and explorer.run_button.description == "Run"

