"""A MySQL-family replica waits for the writer's position in its own dialect, and says when it timed out."""
import pytest

from labkit.aurora import lag


class FakeConnection:
    """Answers each query by the first key of ``answers`` found in its text; records the calls."""

    def __init__(self, answers: dict, dialect: str = "mysql"):
        self.answers, self.calls = answers, []
        self.dialect = type("Dialect", (), {"name": dialect})()

    def _answer(self, sql: str, params=None):
        self.calls.append((sql, params or {}))
        value = next(v for key, v in self.answers.items() if key in sql)
        return type("Result", (), {"scalar": lambda _: value, "first": lambda _: value})()

    def execute(self, clause, params=None):
        return self._answer(str(clause), params)

    def exec_driver_sql(self, sql):
        return self._answer(sql)

    def rollback(self):
        pass


def test_mariadb_waits_for_its_gtid():
    writer = FakeConnection({"@@version": "10.11.6-MariaDB", "gtid_binlog_pos": "0-1-42"})
    reader = FakeConnection({"MASTER_GTID_WAIT": 0})
    lag.catch_up(writer, reader, timeout=2)
    sql, params = reader.calls[0]
    assert "MASTER_GTID_WAIT" in sql and params == {"gtid": "0-1-42", "timeout": 2}


def test_mysql_with_gtids_waits_for_the_executed_set_it_has_instead_of_master_gtid_wait():
    writer = FakeConnection({"@@version": "8.4.5", "gtid_mode": "ON",
                             "gtid_executed": "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,\n"
                                              "4a6b0c6e-71ca-11e1-9e33-c80aa9429562:1-2"})
    reader = FakeConnection({"WAIT_FOR_EXECUTED_GTID_SET": 0})
    lag.catch_up(writer, reader)
    sql, params = reader.calls[0]
    assert "WAIT_FOR_EXECUTED_GTID_SET" in sql and "\n" not in params["gtids"]
    assert params["gtids"].count(":") == 2


def test_mysql_without_gtids_waits_for_the_binary_log_position():
    writer = FakeConnection({"@@version": "8.4.5", "gtid_mode": "OFF", "BINARY LOG STATUS": ("binlog.000003", 1234)})
    reader = FakeConnection({"SOURCE_POS_WAIT": 0})
    lag.catch_up(writer, reader)
    sql, params = reader.calls[0]
    assert "SOURCE_POS_WAIT" in sql and params["binlog"] == "binlog.000003" and params["offset"] == 1234


@pytest.mark.parametrize("answers, timed_out", [
    ({"@@version": "10.11.6-MariaDB", "gtid_binlog_pos": "0-1-42"}, {"MASTER_GTID_WAIT": -1}),
    ({"@@version": "8.4.5", "gtid_mode": "ON", "gtid_executed": "x:1-5"}, {"WAIT_FOR_EXECUTED_GTID_SET": 1}),
    ({"@@version": "8.4.5", "gtid_mode": "OFF", "BINARY LOG STATUS": ("binlog.000003", 1)}, {"SOURCE_POS_WAIT": 1}),
])
def test_a_replica_that_does_not_get_there_in_time_is_a_timeout_naming_the_position(answers, timed_out):
    with pytest.raises(TimeoutError, match="replica did not reach"):
        lag.catch_up(FakeConnection(answers), FakeConnection(timed_out), timeout=0.1)
