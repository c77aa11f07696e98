"""Lab 6 writes its recovery's SQL and commands in the page; here those functions, taken from the
page's cells, run against the real writers: the same orders SQL on PostgreSQL and MariaDB, the
commit timestamp PostgreSQL records, and the search of MariaDB's real binlog for the accident.
The restores themselves are the lab's."""
from datetime import datetime, timezone

import sqlalchemy as sa
from test_page_code_servers import page_functions

from labkit import credentials, db
from labkit.aurora import binlog_replay

TABLE = "test_lab06_orders"


def test_the_orders_sql_finds_the_last_commit_and_the_accident_and_copies_orders_between_engines():
    page = page_functions("06-backtrack-and-pitr.md",
                          {"create_orders", "write_orders", "the_accident", "order_ids", "copy_back",
                           "last_good_commit", "dump_command", "accident_start"},
                          sa=sa, TABLE=TABLE, binlog_replay=binlog_replay)
    pg, mysql = db.engine("pg-writer"), db.engine("mysql-writer")
    database = credentials.mysql().database
    try:
        before = datetime.now(timezone.utc)
        with pg.begin() as conn:
            page["create_orders"](conn)
            page["write_orders"](conn, range(1, 51))
        with pg.connect() as conn:
            committed = page["last_good_commit"](conn)
        assert committed.tzinfo is not None and committed >= before.replace(microsecond=0), committed

        with mysql.begin() as conn:
            page["create_orders"](conn)
            page["write_orders"](conn, range(1, 6))
        dump = binlog_replay.take_dump(page["dump_command"](database, TABLE))
        dump.file.unlink()
        start = dump.start
        with mysql.begin() as conn:
            page["write_orders"](conn, range(100, 111))
        with mysql.begin() as conn:
            assert page["the_accident"](conn) == 16
        accident_at = page["accident_start"](binlog_replay.binlog_events(start), f"{database}.{TABLE}")
        assert accident_at is not None and (accident_at.file, accident_at.position) > (start.file, start.position)

        with mysql.begin() as conn:
            page["write_orders"](conn, [1, 2, 200])
        with pg.connect() as restored, mysql.begin() as live:
            assert page["copy_back"](restored, live) == 48
        with mysql.connect() as conn:
            assert page["order_ids"](conn) == set(range(1, 51)) | {200}
    finally:
        for engine in (pg, mysql):
            with engine.begin() as conn:
                conn.execute(sa.text(f"DROP TABLE IF EXISTS {TABLE}"))
