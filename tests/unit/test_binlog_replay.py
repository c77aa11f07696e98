import subprocess
from pathlib import Path

import pytest

from labkit.aurora import binlog_replay as br
from labkit.aurora.binlog_replay import BinlogPosition

DUMP_HEADER = """
-- Position to start replication or point-in-time recovery from
--
-- CHANGE MASTER TO MASTER_LOG_FILE='binlog.000003', MASTER_LOG_POS=101122;
"""


def test_the_dump_position_is_read_from_the_master_data_comment():
    assert br.parse_dump_position(DUMP_HEADER) == BinlogPosition("binlog.000003", 101122)


def test_a_dump_without_position_says_how_to_take_one():
    with pytest.raises(br.ReplayFailed, match="--master-data=2"):
        br.parse_dump_position("-- MariaDB dump\nCREATE TABLE t (id int);")


def events(*rows):
    return [("binlog.000001", pos, kind, 1, pos + 10, info) for pos, kind, info in rows]


def test_the_accident_starts_at_the_gtid_event_of_the_deleting_transaction():
    log = events(
        (100, "Gtid", "BEGIN GTID 0-1-7"),
        (140, "Table_map", "table_id: 33 (lab.lab06_orders)"),
        (180, "Write_rows_v1", "table_id: 33 flags: STMT_END_F"),
        (220, "Xid", "COMMIT /* xid=9 */"),
        (260, "Gtid", "BEGIN GTID 0-1-8"),
        (300, "Table_map", "table_id: 33 (lab.lab06_orders)"),
        (340, "Delete_rows_v1", "table_id: 33"),
        (380, "Xid", "COMMIT /* xid=10 */"),
    )
    assert br.first_delete_of(log, "lab.lab06_orders") == BinlogPosition("binlog.000001", 260)


def test_deletes_from_other_tables_are_not_the_accident():
    log = events(
        (100, "Gtid", "BEGIN GTID 0-1-7"),
        (140, "Table_map", "table_id: 40 (lab.lab06_orders_archive)"),
        (180, "Delete_rows_v1", "table_id: 40"),
        (220, "Xid", "COMMIT /* xid=9 */"),
    )
    assert br.first_delete_of(log, "lab.lab06_orders") is None


def test_the_replay_runs_from_the_dump_to_just_before_the_accident():
    argv = br.replay_command([Path("/d/binlog.000001")], BinlogPosition("binlog.000001", 100),
                             BinlogPosition("binlog.000001", 260), "lab06_orders")
    assert argv == ["mariadb-binlog", "--start-position=100", "--stop-position=260",
                    "--table=lab06_orders", "/d/binlog.000001"]


def test_the_replay_spans_every_file_between_dump_and_accident():
    argv = br.replay_command([Path("/d/binlog.000001"), Path("/d/binlog.000002")],
                             BinlogPosition("binlog.000001", 900), BinlogPosition("binlog.000002", 50), "t")
    assert argv[-2:] == ["/d/binlog.000001", "/d/binlog.000002"]


def test_a_position_reads_as_file_colon_offset():
    assert str(BinlogPosition("binlog.000002", 4)) == "binlog.000002:4"


def test_a_dump_command_runs_as_root_on_the_writer_and_its_position_is_read_back(state_home, monkeypatch):
    ran = []

    def run(argv, **kwargs):
        ran.append(argv)
        return subprocess.CompletedProcess(argv, 0, stdout=DUMP_HEADER, stderr="")

    monkeypatch.setattr(br.subprocess, "run", run)
    monkeypatch.setattr(br.binaries, "find", lambda program: f"/opt/bin/{program}")
    monkeypatch.setattr(br.credentials, "local", lambda: {"mysql_root": "secret"})
    dump = br.take_dump(br.dump_command("lab", "orders"))
    assert ran[0][0] == "/opt/bin/mariadb-dump" and "--user=root" in ran[0]
    assert ran[0][-4:] == ["--single-transaction", "--master-data=2", "lab", "orders"]
    assert dump.start == BinlogPosition("binlog.000003", 101122)
    assert dump.file.name == "orders.sql" and dump.file.read_text() == DUMP_HEADER


def test_what_the_labs_command_prints_is_fed_into_the_restore_server(monkeypatch):
    fed = []
    monkeypatch.setattr(br, "_into_restore_server", lambda server, database, stdin, what: fed.append(stdin.read()))
    monkeypatch.setattr(br.binaries, "find", lambda program: "/bin/echo")
    br.pipe_into(None, "lab", ["mariadb-binlog", "--start-position=4", "/d/binlog.000001"])
    assert fed == [b"--start-position=4 /d/binlog.000001\n"]
    monkeypatch.setattr(br.binaries, "find", lambda program: "/bin/false")
    with pytest.raises(br.ReplayFailed, match="mariadb-binlog failed"):
        br.pipe_into(None, "lab", ["mariadb-binlog"])
