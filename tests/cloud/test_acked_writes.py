"""The durability harness against the real writer: what it counts as acknowledged is on the
server, and the lab's kind of ``missing`` finds only what is not there. No crash: that is the lab's."""
import sqlalchemy as sa

from labkit import db
from labkit.aurora import durability

TABLE = "test_acked_writes"


def write(conn, row, synchronous_commit):
    conn.execute(sa.text("SELECT set_config('synchronous_commit', :wait, true)"), {"wait": synchronous_commit})
    conn.execute(sa.text(f"INSERT INTO {TABLE} (trial, writer, seq) VALUES (:trial, :writer, :seq)"), row)
    conn.commit()


def missing(conn, trial, ids):
    rows = conn.execute(sa.text(f"SELECT writer, seq FROM {TABLE} WHERE trial = :trial"), {"trial": trial})
    return set(ids) - {tuple(r) for r in rows}


def test_every_acknowledged_write_is_on_the_writer_and_only_absent_ids_are_missing():
    engine = db.engine("pg-writer", poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE IF NOT EXISTS {TABLE} (trial text, writer int, seq int, "
                             f"PRIMARY KEY (trial, writer, seq))"))
    try:
        with durability.AckedWriters(engine, write, "local", "t1", threads=2) as writers:
            writers.stopping.wait(0.3)
        acked = {(a.writer, a.seq) for a in writers.snapshot()}
        assert acked and not writers.in_doubt and not writers.errors
        with durability.promoted("pg-writer") as conn:
            assert missing(conn, "t1", acked) == set()
            assert missing(conn, "t1", acked | {(0, 10**6)}) == {(0, 10**6)}
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE {TABLE}"))
