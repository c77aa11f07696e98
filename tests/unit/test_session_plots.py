"""The session lab's figures draw from synthetic traces, with the marks the page talks about."""
import matplotlib

matplotlib.use("Agg")

from labkit.cache.sessions import session_plots  # noqa: E402
from labkit.cache.sessions.session_store import FailoverTrial, TtlTrace, Visit, outage  # noqa: E402


def _visit(start, status=200, instance="web-app1", user="ada"):
    return Visit(start=start, seconds=0.004, instance=instance, status=status, user=user, views=1)


def test_the_sliding_ttl_figure_shows_the_lifetime_and_the_expiry():
    trace = TtlTrace(lifetime_s=2, samples=[(0.0, 1990), (1.0, 1995), (2.0, 1998), (4.1, -2)],
                     visits=[_visit(0.0), _visit(1.0, instance="web-app2"), _visit(2.0)], idle_from=2.0,
                     gone_at=4.1, after_idle=[_visit(4.2, 401, user=None), _visit(4.3, 401, "web-app2", None)])
    fig = session_plots.plot_sliding_ttl(trace)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("session lifetime 2 s" in t for t in texts), texts
    assert "key gone (PTTL -2)" in fig.axes[0].get_legend_handles_labels()[1]


def test_the_failover_figure_marks_the_crash_the_promotion_and_the_outage():
    visits = [_visit(0.2), _visit(1.2, 503, user=None), _visit(1.8, 503, "web-app2", None), _visit(2.9)]
    trial = FailoverTrial(visits=visits, crash_at=1.0, promoted_at=2.5, old_primary="redis-node1",
                          new_primary="redis-node2", replicas_acked=1, outage=outage(visits, 1.0))
    fig = session_plots.plot_failover(trial)
    ax = fig.axes[0]
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "redis-node1 killed" in texts and "redis-node2 promoted" in texts
    assert any(label.startswith("outage") for label in ax.get_legend_handles_labels()[1])
    assert ax.get_yscale() == "log"
