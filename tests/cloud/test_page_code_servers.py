"""Labs 4, 5, 7 and 11 hand their own functions to labkit's harnesses; here the functions, taken
from the pages' cells, run through those harnesses against the real servers, which the unit tests'
stand-ins only imitate: a real memcached refuses a stale cas, a real reader endpoint answers a
fresh connection and refuses a write, a real replica reports its WAL positions."""
import ast
import itertools
import json
import random
import time
import uuid
from collections import Counter
from pathlib import Path

import jupytext
import psycopg
import pytest
import sqlalchemy as sa

from labkit import cluster, db
from labkit.aurora import lag, read_scaling, replay_lag, rolling
from labkit.cache import clients
from labkit.cache.engines import data_structures

LABS = Path(__file__).parents[2] / "labs"


def page_functions(lab: str, wanted: set[str], **namespace) -> dict:
    """Run the cells of ``lab`` that hold nothing but function definitions, and return those."""
    for cell in jupytext.read(LABS / lab).cells:
        if cell.cell_type == "code" and all(isinstance(node, ast.FunctionDef)
                                            for node in ast.parse(cell.source).body):
            exec(cell.source, namespace)
    missing = wanted - namespace.keys()
    assert not missing, f"{lab} no longer defines {missing} in a cell of function definitions"
    return namespace


def test_lab11_scores_keep_every_update_on_the_real_memcached_and_redis():
    page = page_functions("11-redis-vs-memcached.md",
                          {"add_score", "add_score_cas", "read_board", "read_board_cas"}, json=json)
    events = data_structures.score_events(200)
    expected = data_structures.expected_board(events)
    board = "labtest:engines:board"
    clients.memcached().set(board, b"{}", noreply=False)
    clients.primary().delete(board)
    try:
        mc = data_structures.feed_board("Memcached", clients.memcached, board, events, 4,
                                        add=page["add_score_cas"], read=page["read_board_cas"])
        rd = data_structures.feed_board("Redis", clients.primary, board, events, 4,
                                        add=page["add_score"], read=page["read_board"])
    finally:
        clients.memcached().delete(board, noreply=False)
        clients.primary().delete(board)
    assert mc.matches(expected) and rd.matches(expected)
    assert mc.round_trips == 2 * (len(events) + mc.retries)
    assert rd.round_trips == len(events) and rd.retries == 0


def test_lab7_retry_loop_reads_through_the_real_reader_endpoint():
    page = page_functions("07-maintenance-and-monitoring.md", {"with_retries"}, sa=sa, time=time)
    client = rolling.ClientLoop(rolling.fresh_engine("pg-reader"), lambda conn: db.identify(conn).node,
                                run=lambda engine, operation: page["with_retries"](engine, operation, retries=2))
    with client:
        time.sleep(0.3)
    assert client.attempts and not client.failed, f"a read failed with no restart going on: {client.failed}"
    assert all(a.tries == 1 and a.node.startswith("pg-node") for a in client.attempts), client.attempts[:3]


def test_lab4_retry_loop_stores_an_order_once_retries_a_read_only_node_and_not_a_mistake():
    page = page_functions("04-failover.md", {"place_order", "app_engine", "is_failover_error", "with_retries"},
                          sa=sa, time=time, random=random, itertools=itertools, psycopg=psycopg, db=db,
                          ORDERS="labtest_orders")
    place, with_retries = page["place_order"], page["with_retries"]
    writer = page["app_engine"]()
    with writer.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS labtest_orders"))
        conn.execute(sa.text("CREATE TABLE labtest_orders (id uuid PRIMARY KEY)"))
    retried = []
    try:
        order = uuid.uuid4()
        for _ in range(2):  # the same order twice, as a retry after a lost COMMIT would send it
            with_retries(writer, lambda conn: place(conn, order), on_retry=retried.append)
        with writer.connect() as conn:
            stored = conn.execute(sa.text("SELECT count(*) FROM labtest_orders")).scalar()
        assert stored == 1 and not retried
        reader = db.engine("pg-reader", poolclass=sa.pool.NullPool)  # a replica: read-only, as a demoted writer
        with pytest.raises(sa.exc.InternalError) as refused:
            with_retries(reader, lambda conn: place(conn, uuid.uuid4()), deadline=0.5, on_retry=retried.append)
        assert refused.value.orig.sqlstate == "25006"
        assert retried and all(page["is_failover_error"](exc) for exc in retried)
        retried.clear()
        with pytest.raises(sa.exc.ProgrammingError):
            with_retries(writer, lambda conn: conn.execute(sa.text("SELEC 1")), on_retry=retried.append)
        assert not retried, "a syntax error was retried"
    finally:
        with writer.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS labtest_orders"))


def test_lab4_replicas_report_their_positions_recovery_and_upstream():
    page = page_functions("04-failover.md", {"wal_position", "in_recovery", "streams_from"}, sa=sa)
    cluster.wait_healthy()
    writer = cluster.writer()
    replicas = [n.name for n in cluster.topology() if n.role == "reader"]
    with db.engine(writer, poolclass=sa.pool.NullPool).connect() as conn:
        assert page["in_recovery"](conn) is False
    for name in replicas:
        with db.engine(name, poolclass=sa.pool.NullPool).connect() as conn:
            received, replayed, received_bytes, replayed_bytes = page["wal_position"](conn)
            assert page["in_recovery"](conn) is True
            assert received and replayed and received_bytes > 0 and replayed_bytes > 0
            assert db.node_at(page["streams_from"](conn), "pg-node") == writer


def test_lab5_reads_spread_over_the_replicas_and_a_custom_endpoint_keeps_to_its_members():
    page = page_functions("05-read-scaling.md", {"reader_engine", "which_node", "custom_endpoint"},
                          sa=sa, db=db, itertools=itertools)
    replicas = sorted(n.name for n in cluster.topology() if n.role == "reader")
    fresh = page["reader_engine"](poolclass=sa.pool.NullPool)
    assert set(read_scaling.connection_spread(fresh, page["which_node"], 8)) == set(replicas)
    custom = page["custom_endpoint"](replicas[:1])
    assert read_scaling.connection_spread(custom, page["which_node"], 4) == Counter({replicas[0]: 4})


def test_lab5_lag_queries_and_reading_your_own_writes_on_the_real_replicas():
    page = page_functions("05-read-scaling.md", {"reader_engine", "lag_on_writer", "lag_on_replica",
                                                 "save_comment", "read_comment"},
                          sa=sa, db=db, COMMENTS="labtest05_probe")
    writer = db.engine("pg-writer")
    lag.reset_tables(writer, "labtest05")
    try:
        timeline = replay_lag.record(writer, "labtest05", [("idle", 0.3), ("write load", 0.6)],
                                     read_lag=page["lag_on_writer"])
        replicas = sorted(n.name for n in cluster.topology() if n.role == "reader")
        assert timeline.replicas() == replicas
        for name in replicas:
            with db.engine(name, poolclass=sa.pool.NullPool).connect() as conn:
                lsn, age = page["lag_on_replica"](conn)
            assert lsn and age >= 0
        sources = Counter()
        with writer.connect() as wconn, page["reader_engine"]().connect() as rconn:
            for i in range(20):
                row_id, position = page["save_comment"](wconn, f"comment {i}")
                note, source = page["read_comment"](rconn, wconn, row_id, position)
                assert note == f"comment {i}"
                sources[source] += 1
        assert sum(sources.values()) == 20 and set(sources) <= {"replica", "writer"}
    finally:
        lag.drop_tables(writer, "labtest05")
