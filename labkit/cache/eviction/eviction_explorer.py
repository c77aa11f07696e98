"""An ipywidgets explorer of Redis eviction: pick a policy, a key space, a share of keys with a
TTL and the TTLs, press Run, and see evictions, expirations, hit ratio, memory and refused
writes over time, with earlier runs kept in a table for comparison.

The callbacks are plain methods (``workload()``, ``run()``), so tests drive them without a
browser or a server (pass a fake ``runner``). The plot is a PNG in an ``Image`` widget, so a
page built without a live kernel still shows the run made before display.
"""
from __future__ import annotations

import html
import io
from collections.abc import Callable

import ipywidgets as w
import matplotlib.pyplot as plt

from labkit.cache.eviction import eviction_run
from labkit.cache.eviction.eviction_plots import plot_run
from labkit.cache.eviction.eviction_run import POLICIES, Run, Workload
from labkit.explorer import ExplorerBox

SHOWN_RUNS = 6


def figure_png(fig) -> bytes:
    """The figure as PNG bytes; the figure is closed so a notebook does not draw it twice."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    plt.close(fig)
    return buffer.getvalue()


def runs_html(runs: dict[str, Run]) -> str:
    """The runs so far, newest first, as an HTML table."""
    rows = list(reversed(eviction_run.summary_rows(runs)))[:SHOWN_RUNS]
    if not rows:
        return "<p>No run yet: choose the settings and press Run.</p>"
    head = "".join(f"<th>{html.escape(name)}</th>" for name in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row.values()) + "</tr>" for row in rows)
    return f"<table cellpadding='4'><tr>{head}</tr>{body}</table>"


class EvictionExplorer:
    """Settings widgets, a Run button, a table of runs and the plot of the latest one."""

    def __init__(self, runner: Callable[[Workload], Run] = eviction_run.run):
        self.runner = runner
        self.runs: dict[str, Run] = {}
        d = Workload()
        style = {"description_width": "150px"}
        wide = w.Layout(width="480px")
        self.policy = w.Dropdown(options=POLICIES, value=d.policy, description="maxmemory-policy", style=style)
        self.maxmemory_mb = w.IntSlider(d.maxmemory_mb, min=2, max=16, description="maxmemory (MB)",
                                        style=style, layout=wide)
        self.keys = w.IntSlider(d.keys, min=1_000, max=50_000, step=1_000, description="key space (keys)",
                                style=style, layout=wide)
        self.ttl_share = w.FloatSlider(d.ttl_share, min=0, max=1, step=0.05, readout_format=".0%",
                                       description="keys with a TTL", style=style, layout=wide)
        self.ttl_range = w.FloatRangeSlider(value=d.ttl_range, min=0.1, max=5, step=0.1,
                                            description="TTL range (s)", style=style, layout=wide)
        self.value_bytes = w.IntSlider(d.value_bytes, min=100, max=5_000, step=100,
                                       description="value size (bytes)", style=style, layout=wide)
        self.requests = w.IntSlider(d.requests, min=1_000, max=20_000, step=1_000, description="requests",
                                    style=style, layout=wide)
        self.run_button = w.Button(description="Run", icon="play", button_style="primary")
        self.run_button.on_click(lambda _: self.run())
        self.status = w.HTML(runs_html(self.runs))
        self.plot = w.Image(format="png", layout=w.Layout(max_width="800px"))
        self.widget = ExplorerBox([self.policy, self.maxmemory_mb, self.keys, self.ttl_share, self.ttl_range,
                              self.value_bytes, self.requests, self.run_button, self.status, self.plot])

    # ---- callbacks: plain methods -------------------------------------------------------------
    def workload(self) -> Workload:
        """The workload the widgets describe."""
        return Workload(policy=self.policy.value, maxmemory_mb=self.maxmemory_mb.value, keys=self.keys.value,
                        ttl_share=round(self.ttl_share.value, 2), ttl_range=tuple(self.ttl_range.value),
                        value_bytes=self.value_bytes.value, requests=self.requests.value)

    def run(self) -> Run:
        """Run the workload, add it to the table and plot it."""
        workload = self.workload()
        self.run_button.disabled, self.run_button.description = True, "running…"
        try:
            result = self.runner(workload)
        finally:
            self.run_button.disabled, self.run_button.description = False, "Run"
        self.runs[f"#{len(self.runs) + 1} {workload.label}"] = result
        self.status.value = runs_html(self.runs)
        self.plot.value = figure_png(plot_run(result))
        return result
