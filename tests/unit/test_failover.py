from labkit.aurora.failover import Trial, by_cause, errors_seen, outage_table
from labkit.aurora.outage import Outage
from labkit.aurora.retrying_app import Tally


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
