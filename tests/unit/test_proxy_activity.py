"""Watching a database a client may not read the processes of: its own statistics views."""
import math

from labkit.proxy import activity


class FakeSession:
    """Answers the watch's two queries: sessions on the database rise, then fall; sessions
    started grow by 40 during the block."""

    def __init__(self):
        self.others = iter([2, 9, 30, 12] + [0] * 10_000)
        self.started = iter([100, 140])
        self.closed = False

    def execute(self, query):
        value = next(self.started) if query == activity.SESSIONS_STARTED else next(self.others)
        return type("Cursor", (), {"fetchone": lambda self: (value,)})()

    def close(self):
        self.closed = True


def test_the_watch_reports_the_peak_and_the_sessions_started_and_no_process_figures(monkeypatch):
    session = FakeSession()
    monkeypatch.setattr(activity.psycopg, "connect", lambda conninfo, autocommit: session)
    monkeypatch.setattr(activity, "INTERVAL", 0.001)
    with activity.ActivityWatch("host=127.0.0.1 dbname=lab") as watch:
        while watch.peak < 30:
            pass
    assert watch.use.peak_backends == 30 and watch.use.sessions == 40
    assert all(math.isnan(v) for v in (watch.use.server_cpu_s, watch.use.proxy_cpu_s, watch.use.backend_uss))
    assert session.closed
