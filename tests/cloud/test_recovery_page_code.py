"""Lab 6's recovery SQL and commands run here against the real writers: the functions taken from
the page's cells (the commit timestamp PostgreSQL records, the copy of lost orders between
engines) and the ones it shows from labkit (the orders SQL on PostgreSQL and MariaDB, the dump
command and the search of MariaDB's real binlog for the accident). The restores themselves are
the lab's."""
from datetime import datetime, timezone

import sqlalchemy as sa
from test_page_code_servers import page_functions

from labkit import credentials, db
from labkit.aurora import accident, binlog_replay

TABLE = "test_lab06_orders"


def test_the_orders_sql_finds_the_last_commit_and_the_accident_and_copies_orders_between_engines():
    page = page_functions("06-backtrack-and-pitr.md",
                          {"order_ids", "copy_back", "last_good_commit"}, sa=sa, TABLE=TABLE)
    pg, mysql = db.engine("pg-writer"), db.engine("mysql-writer")
    database = credentials.mysql().database
    try:
        before = datetime.now(timezone.utc)
        with pg.begin() as conn:
            accident.create_orders(conn, TABLE)
            accident.write_orders(conn, TABLE, range(1, 51))
        with pg.connect() as conn:
            committed = page["last_good_commit"](conn)
        assert committed.tzinfo is not None and committed >= before.replace(microsecond=0), committed

        with mysql.begin() as conn:
            accident.create_orders(conn, TABLE)
            accident.write_orders(conn, TABLE, range(1, 6))
        dump = binlog_replay.take_dump(binlog_replay.dump_command(database, TABLE))
        dump.file.unlink()
        start = dump.start
        with mysql.begin() as conn:
            accident.write_orders(conn, TABLE, range(100, 111))
        with mysql.begin() as conn:
            assert accident.the_accident(conn, TABLE) == 16
        accident_at = binlog_replay.first_delete_of(binlog_replay.binlog_events(start), f"{database}.{TABLE}")
        assert accident_at is not None and (accident_at.file, accident_at.position) > (start.file, start.position)

        with mysql.begin() as conn:
            accident.write_orders(conn, TABLE, [1, 2, 200])
        with pg.connect() as restored, mysql.begin() as live:
            assert page["copy_back"](restored, live) == 48
        with mysql.connect() as conn:
            assert page["order_ids"](conn) == set(range(1, 51)) | {200}
    finally:
        for engine in (pg, mysql):
            with engine.begin() as conn:
                conn.execute(sa.text(f"DROP TABLE IF EXISTS {TABLE}"))
