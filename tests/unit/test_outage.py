import pytest

from labkit.aurora.outage import Attempt, describe, measure


def ok(start, node, took=0.01):
    return Attempt(start, start + took, node=node)


def failed(start, error="OperationalError: server closed the connection unexpectedly", took=0.01):
    return Attempt(start, start + took, error=error)


def test_outage_runs_from_the_first_failure_to_the_first_write_on_another_node():
    attempts = [ok(0.0, "pg-node1"), ok(0.02, "pg-node1"),
                failed(0.04), failed(0.06, "ConnectionTimeout: expired", took=3.0), failed(3.08),
                ok(3.10, "pg-node2"), ok(3.12, "pg-node2")]
    result = measure(attempts, "pg-node1")
    assert result.seconds == pytest.approx(3.11 - 0.04)
    assert result.new_node == "pg-node2" and result.failed == 3
    assert result.errors == ["OperationalError: server closed the connection unexpectedly",
                             "ConnectionTimeout: expired"]


def test_without_failures_the_outage_is_the_gap_between_the_two_writers():
    attempts = [ok(0.0, "pg-node1"), ok(0.02, "pg-node1", took=0.5), ok(0.6, "pg-node3")]
    result = measure(attempts, "pg-node1")
    assert result.seconds == pytest.approx(0.61 - 0.52) and result.failed == 0


def test_a_write_that_lands_on_the_old_writer_again_does_not_end_the_outage():
    attempts = [ok(0.0, "pg-node1"), failed(0.1), ok(0.2, "pg-node1"), failed(0.3), ok(1.0, "pg-node2")]
    result = measure(attempts, "pg-node1")
    assert result.seconds == pytest.approx(1.01 - 0.1) and result.failed == 2


def test_no_new_writer_is_a_clear_error():
    with pytest.raises(ValueError, match="never led to a new writer"):
        measure([ok(0.0, "pg-node1"), failed(0.1)], "pg-node1")


def test_describe_names_the_driver_error_and_its_first_line():
    class Wrapped(Exception):
        orig = ConnectionResetError("connection reset\nmore detail")
    assert describe(Wrapped()) == "builtins.ConnectionResetError: connection reset"


def test_describe_drops_the_address_psycopg_puts_before_the_reason():
    class Wrapped(Exception):
        orig = ConnectionError('connection failed: connection to server at "127.0.0.1", port 15432 '
                               'failed: FATAL:  the database system is shutting down')
    assert describe(Wrapped()) == "builtins.ConnectionError: connection failed: FATAL:  the database system is shutting down"
