import pytest
import sqlalchemy as sa

from labkit.aurora.failover import SWITCHOVER, Trial, by_cause, cause_failover, errors_seen, outage_table
from labkit.aurora.outage import Outage
from labkit.aurora.retrying_app import RetryingApp, Tally, orders_table


def trial(cause, seconds, errors=(), retried=()):
    return Trial(cause, "pg-node1", "pg-node2", "pg-node2", Outage(seconds, "pg-node2", len(errors), list(errors)),
                 Tally(10, 0, len(retried), 1.0, list(retried)), 0)


TRIALS = [trial("crash", 1.5, ["A", "B", "C", "D"], ["R"]), trial("crash", 2.5, ["A", "E"]),
          trial("switchover", 0.8, ["F"], ["S"])]


def test_outages_are_grouped_by_cause_in_run_order():
    assert by_cause(TRIALS) == {"crash": [1.5, 2.5], "switchover": [0.8]}


def test_errors_seen_keeps_the_first_errors_of_each_trial_once():
    assert errors_seen(TRIALS) == {"crash": ["A", "B", "C", "E"], "switchover": ["F"]}
    assert errors_seen(TRIALS, retried=True) == {"crash": ["R"], "switchover": ["S"]}


def test_outage_table_has_a_row_per_trial():
    lines = outage_table(TRIALS).splitlines()
    assert len(lines) == 2 + len(TRIALS)
    assert lines[2] == "| crash | pg-node1 | pg-node2 | pg-node2 | 4 | 1.50 |"
    assert lines[1] == "|---|---|---|---|---:|---:|"


def test_the_application_loop_counts_what_the_page_retry_loop_reports():
    written = []

    def run(engine, operation, on_retry):
        on_retry(RuntimeError("the database system is shutting down"))
        return operation(None)

    app = RetryingApp(sa.create_engine("sqlite://"), lambda conn, order_id: written.append(order_id), run,
                      orders_table("lab04"))
    app.step()
    app.step()
    tally = app.tally
    assert (tally.operations, tally.failed, tally.retries) == (2, 0, 2)
    assert tally.errors == ["builtins.RuntimeError: the database system is shutting down"]
    assert len(set(written)) == 2  # a new order id per operation


def test_a_switchover_needs_the_page_request():
    with pytest.raises(ValueError, match="switch_over"):
        cause_failover(SWITCHOVER)
