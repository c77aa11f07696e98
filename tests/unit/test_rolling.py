"""rolling: the bookkeeping of a rolling restart (no servers)."""
from __future__ import annotations

import sqlalchemy as sa

from labkit.aurora import rolling
from labkit.aurora.rolling import Attempt, ClientLoop


def attempt(start, ok=True, node="pg-node1", tries=1):
    return Attempt(start, start + 0.1, ok, node if ok else None, tries)


def test_outage_windows_joins_consecutive_failures():
    attempts = [attempt(0), attempt(1, ok=False), attempt(2, ok=False), attempt(3), attempt(4, ok=False)]
    assert rolling.outage_windows(attempts) == [(1, 2.1), (4, 4.1)]


def test_outage_windows_empty_when_nothing_failed():
    assert rolling.outage_windows([attempt(0), attempt(1)]) == []


def test_rate_per_node_bins_successes_and_failures():
    attempts = [attempt(0.0), attempt(0.2, node="pg-node2"), attempt(0.6), attempt(0.7, ok=False)]
    rates = rolling.rate_per_node(attempts, t0=0.0, bin_s=0.5)
    assert rates["t"] == [0.0, 0.5]
    assert rates["pg-node1"] == [2.0, 2.0]
    assert rates["pg-node2"] == [2.0, 0.0]
    assert rates["failed"] == [0.0, 2.0]


def test_rate_per_node_of_nothing():
    assert rolling.rate_per_node([], t0=0.0) == {"t": []}


class FlakyEngine:
    """Fails the first ``failures`` connects like a restarting server, then answers."""

    def __init__(self, failures):
        self.failures = failures

    def connect(self):
        if self.failures:
            self.failures -= 1
            raise sa.exc.OperationalError("connect", {}, Exception("the database system is shutting down"))
        return FakeConnection()


class FakeConnection:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def commit(self):
        pass


def retrying(engine, operation, retries=3):
    """A page's retry loop, reduced: a new connection per try, no pause."""
    for attempt in range(retries + 1):
        try:
            with engine.connect() as conn:
                return operation(conn)
        except sa.exc.OperationalError:
            if attempt == retries:
                raise


def test_client_loop_counts_the_tries_a_retry_hid():
    loop = ClientLoop(FlakyEngine(2), lambda conn: "pg-node2", run=retrying)
    result = loop._once()
    assert result.ok and result.node == "pg-node2" and result.tries == 3
    loop.attempts.append(result)
    assert loop.retried == 2 and not loop.failed


def test_client_loop_reports_failure_when_retries_run_out():
    loop = ClientLoop(FlakyEngine(5), lambda conn: "pg-node2", run=lambda e, op: retrying(e, op, retries=1))
    result = loop._once()
    assert not result.ok and result.tries == 2 and result.node is None
    assert "shutting down" in result.error


def test_client_loop_without_run_tries_once():
    loop = ClientLoop(FlakyEngine(1), lambda conn: "pg-node3")
    failed, answered = loop._once(), loop._once()
    assert (failed.ok, failed.tries) == (False, 1)
    assert (answered.ok, answered.node, answered.tries) == (True, "pg-node3", 1)


def test_rolling_restart_knows_which_nodes_restarted():
    run = rolling.RollingRestart(t0=0.0, before={"pg-node1": "a", "pg-node2": "b"},
                                 after={"pg-node1": "c", "pg-node2": "b"})
    assert run.restarted == {"pg-node1": True, "pg-node2": False}


def test_phases_are_timed_from_t0():
    run = rolling.RollingRestart(t0=0.0)
    with run.phase("restart pg-node2"):
        pass
    (start, end, label), = run.phases
    assert 0 < start <= end and label == "restart pg-node2"
