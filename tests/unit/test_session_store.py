"""The session store lab's bookkeeping: outcomes, the outage window, tables."""
from __future__ import annotations

import pytest

from labkit.cache.sessions import session_store
from labkit.cache.sessions.browser import Browser
from labkit.cache.sessions.session_store import FailoverTrial, Outage, Visit


def v(start, seconds=0.01, status=200, user="ada", views=1, instance="web-app1"):
    return Visit(start, seconds, instance, status, user if status == 200 else None,
                 views if status == 200 else None)


def test_outcomes():
    assert v(0).outcome == "recognised"
    assert v(0, status=401).outcome == "asked to log in"
    assert v(0, status=503).outcome == "error" and v(0, status=None).outcome == "error"


def test_outage_spans_failed_and_slow_visits_after_the_crash():
    visits = [v(0.0), v(0.9, seconds=0.2), v(1.1, status=503), v(1.3, seconds=0.8),
              v(2.2, status=401), v(2.4), v(2.5)]
    found = session_store.outage(visits, crash_at=1.0)
    assert found == Outage(1.1, 2.21, 3)
    assert found.seconds == pytest.approx(1.11)


def test_no_outage_when_every_visit_after_the_crash_was_fine():
    assert session_store.outage([v(0.0), v(1.2)], crash_at=1.0) == Outage(1.0, 1.0, 0)


def test_views_around_the_crash():
    visits = [v(0.0, views=4), v(0.5, views=5), v(1.2, status=503), v(2.0, views=5), v(2.1, views=6)]
    trial = FailoverTrial(visits, 1.0, 1.8, "redis-node1", "redis-node2", 1, Outage(1.2, 1.21, 1))
    assert trial.views_around_crash() == (5, 5)  # one increment lost
    with pytest.raises(ValueError, match="each side"):
        FailoverTrial(visits[:2], 1.0, 1.8, "a", "b", 1, Outage(0, 0, 0)).views_around_crash()


def test_session_key_needs_a_login_first():
    with pytest.raises(LookupError, match="log in first"):
        session_store.session_key(Browser(), "lab10:session:")


def test_visits_table_with_and_without_times():
    table = session_store.visits_table([v(1.234, status=401), v(2.0, views=3)])
    assert table.splitlines()[0].startswith("| t (s) |")
    assert "| 1.23 | web-app1 | 401 | - | - |" in table and "| ada | 3 |" in table
    assert not session_store.visits_table([v(0)], times=False).startswith("| t (s)")
