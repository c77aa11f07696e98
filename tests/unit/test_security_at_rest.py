from pathlib import Path

import pytest

from labkit.security import at_rest


def test_files_are_sorted_by_what_they_hold():
    assert at_rest.kind(Path("lab/patients.ibd")) == "table data"
    assert at_rest.kind(Path("ibdata1")) == "table data"
    assert at_rest.kind(Path("ib_logfile0")) == "redo log"
    assert at_rest.kind(Path("binlog.000001")) == "binary log"
    assert at_rest.kind(Path("binlog.index")) == "other"
    assert at_rest.kind(Path("mysql/global_priv.MAD")) == "other"


def test_search_sums_the_pages_count_by_kind(tmp_path):
    (tmp_path / "lab").mkdir()
    (tmp_path / "lab" / "t.ibd").write_bytes(b"xx SECRET yy SECRET")
    (tmp_path / "ib_logfile0").write_bytes(b"SECRET")
    (tmp_path / "binlog.000001").write_bytes(b"nothing")
    found = at_rest.search(tmp_path, lambda path: path.read_bytes().count(b"SECRET"))
    assert found == {"table data": 2, "redo log": 1, "binary log": 0, "other": 0}
    table = at_rest.search_table({"plain": found})
    assert "| plain | 2 | 1 | 0 | 0 | 3 |" in table


def test_search_of_a_missing_folder_says_to_start_the_server(tmp_path):
    with pytest.raises(FileNotFoundError, match="start the server"):
        at_rest.search(tmp_path / "absent", lambda path: 0)


def test_compare_takes_turns_and_times_every_call():
    calls = []
    latencies = at_rest.compare(lambda conn, i: calls.append((conn, i)), {"a": "A", "b": "B"}, rows=3, rounds=2)
    assert [c for c, _ in calls] == ["A"] * 3 + ["B"] * 3 + ["A"] * 3 + ["B"] * 3
    assert [i for _, i in calls] == list(range(12))
    assert {k: len(v) for k, v in latencies.items()} == {"a": 6, "b": 6}
    assert all(s >= 0 for series in latencies.values() for s in series)


def test_compare_refuses_an_empty_run():
    with pytest.raises(ValueError, match="at least 1"):
        at_rest.compare(lambda conn, i: None, {"a": None}, rows=0, rounds=1)


def test_cost_table_shows_throughput_and_percentiles():
    table = at_rest.cost_table({"plain": [0.001] * 10, "encrypted": [0.002] * 10})
    assert "| plain | 10 | 1,000 | 1.00 | 1.00 |" in table
    assert "| encrypted | 10 | 500 | 2.00 | 2.00 |" in table
