"""Clients that keep their connection through a failover: what each one saw, per path."""
import time

import psycopg
import pytest

from labkit.proxy import failover


class FlakyClient:
    """Fails while ``broken`` says so, and counts a reconnection after each failure."""

    def __init__(self, conninfo, broken=lambda: False):
        self.conninfo, self.broken, self.reconnects, self.closed = conninfo, broken, 0, False
        self._failed = False

    def request(self):
        if self.broken():
            self._failed = True
            raise psycopg.OperationalError("terminating connection due to unexpected postmaster exit")
        if self._failed:
            self._failed, self.reconnects = False, self.reconnects + 1
        return "ok"

    def close(self):
        self.closed = True


def test_the_longest_gap_is_between_two_served_requests():
    attempts = [failover.Attempt(0.0, 0.1), failover.Attempt(0.2, 0.3, error="x"), failover.Attempt(0.4, 1.1),
                failover.Attempt(1.2, 1.3)]
    assert failover.longest_gap(attempts) == pytest.approx(1.0)
    assert failover.longest_gap([failover.Attempt(0, 1)]) != failover.longest_gap([failover.Attempt(0, 1)])  # NaN


def test_a_trial_crashes_once_waits_for_every_client_and_heals(monkeypatch):
    down = {"until": 0.0}
    calls = []
    monkeypatch.setattr(failover.cluster, "wait_healthy", lambda: calls.append("healthy"))

    def crash(cause):
        calls.append(cause)
        down["until"] = time.monotonic() + 0.3
        return "pg-node1"

    monkeypatch.setattr(failover.aurora_failover, "cause_failover", crash)
    monkeypatch.setattr(failover.cluster, "wait_for_new_writer", lambda old: ("pg-node2", 0.3))
    monkeypatch.setattr(failover.aurora_failover, "restore", lambda cause: calls.append("restored"))
    made = []

    def make(conninfo):
        client = FlakyClient(conninfo, broken=lambda: conninfo == "direct" and time.monotonic() < down["until"])
        made.append(client)
        return client

    results = failover.run_trial(make, {"direct": "direct", "proxy": "proxy"}, clients=2, warm_up=0.2)
    assert calls == ["healthy", failover.aurora_failover.POSTMASTER_CRASH, "restored"]
    assert all(c.closed for c in made)
    paths = failover.by_path(results)
    assert all(r.failed > 0 and r.reconnects == 1 and r.errors for r in paths["direct"])
    assert all(r.failed == 0 and r.reconnects == 0 and r.errors == [] for r in paths["proxy"])
    assert all(r.outage_s >= 0.25 for r in paths["direct"])
    table = failover.summary_table(results)
    assert "| direct | 2 |" in table and "| proxy | 2 |" in table and "none" in table
