"""The connection storm harness: it calls the lab's handler from many clients, counts what
returned and what was refused, and never opens a connection of its own."""
import math

import psycopg
import pytest

from labkit.proxy import server, storm


class NoWatch:
    """A watch that reads no server: the storm's own bookkeeping is what is tested."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.use = server.ServerUse(peak_backends=3, backend_uss=2**20, server_cpu_s=0.5, sessions=7,
                                    proxy_cpu_s=0.1)


LOCAL = "host=127.0.0.1 port=1 dbname=lab"


def test_a_storm_is_never_sent_to_another_machine():
    with pytest.raises(ValueError, match="only to servers on this machine"):
        storm.run(quick, "host=db.example.com dbname=lab", clients=1, seconds=0.01, path="direct", watch=NoWatch)


def quick(conninfo):
    return conninfo


def refusing(conninfo):
    raise psycopg.OperationalError("FATAL:  sorry, too many clients already")


def test_every_request_that_returned_is_counted_and_timed():
    point = storm.run(quick, LOCAL, clients=3, seconds=0.2, path="direct", watch=NoWatch)
    assert point.requests > 0 and point.seconds >= 0.2
    assert point.per_second == pytest.approx(point.requests / point.seconds)
    assert all(s >= 0 for s in point.latency_s)
    assert point.errors == {} and point.refused == 0
    assert point.use.sessions == 7 and point.per_thousand(7) == pytest.approx(7000 / point.requests)


def test_a_refused_login_is_counted_as_refused_not_as_served():
    point = storm.run(refusing, LOCAL, clients=2, seconds=0.2, path="direct", watch=NoWatch)
    assert point.requests == 0
    assert point.refused > 0 and point.other_errors == 0
    assert math.isnan(point.per_thousand(1.0))


def test_any_other_exception_is_a_bug_and_stops_the_storm():
    def broken(conninfo):
        raise ZeroDivisionError("bug")

    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        storm.run(broken, LOCAL, clients=1, seconds=0.05, path="direct", watch=NoWatch)


@pytest.mark.parametrize("clients", [1, 3, 4, 250])
def test_the_clients_are_spread_evenly_over_a_few_processes(clients):
    shares = storm.shares(clients)
    assert sum(shares) == clients and len(shares) <= storm.PROCESSES
    assert max(shares) - min(shares) <= 1


def test_both_refusals_postgresql_gives_count_as_refusals():
    assert storm.is_refusal("FATAL: remaining connection slots are reserved for non-replication superuser connections")
    assert storm.is_refusal("FATAL: sorry, too many clients already")
    assert not storm.is_refusal("connection timeout expired")


def test_the_sweep_runs_each_path_for_each_crowd_and_tabulates_them(monkeypatch):
    monkeypatch.setattr(storm, "SETTLE", 0)
    points = storm.sweep(quick, {"direct": LOCAL, "proxy": LOCAL + " port=2"}, [2, 1], seconds=0.05, watch=NoWatch)
    assert [(p.path, p.clients) for p in points] == [("direct", 1), ("proxy", 1), ("direct", 2), ("proxy", 2)]
    table = storm.table(points)
    assert table.count("\n") == 5 and "| proxy | 2 |" in table


def test_a_figure_that_was_not_measured_shows_as_a_dash():
    unmeasured = server.ServerUse(peak_backends=3, backend_uss=math.nan, server_cpu_s=math.nan, sessions=7,
                                  proxy_cpu_s=math.nan)
    point = storm.Point("direct", 1, 1.0, [0.01, 0.02], {}, unmeasured)
    row = storm.table([point]).splitlines()[-1]
    assert "nan" not in row and row.count("| - ") == 3 and "| 3 |" in row
