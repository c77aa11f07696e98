"""What durability costs: the figures a Cost gives and the table a lab prints."""
import math

import pytest

from labkit.memorydb import cost


def _cost(mode, clients, calls, acks=0):
    return cost.Cost(mode, clients, calls, 0.5, [0.001] * 98 + [0.002, 0.010], acks)


def test_a_cost_gives_rate_percentiles_and_writes_per_replica_round_trip():
    c = _cost("c", 16, 1000, acks=400)
    assert c.per_second == 2000 and c.p50_ms == pytest.approx(1.0) and c.p99_ms > 2.0
    assert c.writes_per_ack == 2.5
    assert math.isnan(_cost("a", 1, 10).writes_per_ack)  # no round trip: not a WAIT mode


def test_the_table_shows_round_trips_only_for_the_mode_that_waits():
    rows = cost.table([_cost("a", 1, 10), _cost("c", 1, 10, acks=10)], waits="c").splitlines()
    assert rows[2].endswith("| - |") and rows[3].endswith("| 1.00 |")


def test_by_finds_one_measurement_and_names_a_missing_one():
    costs = [_cost("a", 1, 10), _cost("a", 4, 40)]
    assert cost.by(costs, "a", 4).calls == 40
    with pytest.raises(KeyError, match="no measurement of 'c' with 1 clients"):
        cost.by(costs, "c", 1)


def test_replica_acks_reads_the_replconf_count_or_zero():
    class Node:
        def __init__(self, stats):
            self.stats = stats

        def info(self, section):
            assert section == "commandstats"
            return self.stats

    assert cost.replica_acks(Node({"cmdstat_replconf": {"calls": 42}})) == 42
    assert cost.replica_acks(Node({})) == 0


def test_alternating_calls_each_op_in_turn_on_the_same_key():
    calls = []
    results = cost.alternating({"write": lambda r, key: calls.append(("write", key)),
                                "read": lambda r, key: calls.append(("read", key))}, client=None, seconds=0.02,
                               prefix="t:")
    assert [c.mode for c in results] == ["write", "read"] and results[0].calls == results[1].calls > 0
    assert calls[:4] == [("write", "t:0:0"), ("read", "t:0:0"), ("write", "t:0:1"), ("read", "t:0:1")]
    assert all(c.clients == 1 and len(c.latency_s) == c.calls for c in results)


def test_the_latency_table_leaves_out_rates():
    rows = cost.latency_table([_cost("GET", 1, 100)]).splitlines()
    assert rows[0] == "| operation | calls | p50 ms | p99 ms |" and rows[2].startswith("| GET | 100 | 1.000 |")
