import itertools
import sqlite3

import pytest
import sqlalchemy as sa

from labkit.aurora import read_scaling
from labkit.endpoints import ENDPOINTS, Endpoint


@pytest.fixture
def nodes_in_turn(monkeypatch):
    """db.identify answers pg-node2, pg-node3, pg-node2, ... as a round-robin endpoint would."""
    turn = itertools.cycle(["pg-node2", "pg-node3"])
    monkeypatch.setattr(read_scaling.db, "identify", lambda conn: {"node": next(turn)})


def test_connection_spread_counts_the_node_of_each_connection(nodes_in_turn):
    engine = sa.create_engine("sqlite://", poolclass=sa.pool.NullPool)
    assert read_scaling.connection_spread(engine, 5) == {"pg-node2": 3, "pg-node3": 2}


def test_connection_spread_counts_refused_connections():
    def refuse():
        raise sqlite3.OperationalError("connection refused")

    engine = sa.create_engine("sqlite://", creator=refuse, poolclass=sa.pool.NullPool)
    assert read_scaling.connection_spread(engine, 2) == {"refused": 2}


def test_connection_spread_rejects_a_count_below_one():
    with pytest.raises(ValueError, match="at least 1"):
        read_scaling.connection_spread("pg-reader", 0)


def test_time_until_served_waits_for_the_node(monkeypatch):
    answers = iter([{"pg-node2": 1}, {"pg-node3": 1}, {"pg-node4": 1}])
    monkeypatch.setattr(read_scaling, "connection_spread", lambda engine, connections: next(answers))
    monkeypatch.setattr(read_scaling, "_fresh_engine", lambda endpoint: None)
    monkeypatch.setattr(read_scaling.time, "sleep", lambda s: None)
    assert read_scaling.time_until_served("pg-node4") >= 0
    with pytest.raises(StopIteration):
        next(answers)  # it stopped asking once pg-node4 answered


def test_time_until_served_names_the_node_when_it_never_answers(monkeypatch):
    monkeypatch.setattr(read_scaling, "connection_spread", lambda engine, connections: {"pg-node2": 1})
    monkeypatch.setattr(read_scaling, "_fresh_engine", lambda endpoint: None)
    with pytest.raises(TimeoutError, match="pg-node4"):
        read_scaling.time_until_served("pg-node4", timeout=0.1)


@pytest.mark.parametrize("instances, message", [([], "at least one"), (["pg-writer"], "not PostgreSQL"),
                                                 (["mysql-reader"], "not PostgreSQL")])
def test_custom_endpoint_rejects_bad_members(instances, message):
    with pytest.raises(ValueError, match=message):
        read_scaling.custom_endpoint(instances)


def test_custom_endpoint_sends_connections_round_robin(monkeypatch):
    monkeypatch.setattr(Endpoint, "check", lambda self, timeout=1.0: None)
    monkeypatch.setattr(read_scaling.db, "engine", lambda name, **kw: sa.create_engine(
        "postgresql+psycopg://u:p@127.0.0.1:1/db", **kw))
    engine = read_scaling.custom_endpoint(["pg-node2", "pg-node3"])
    reached = []

    class Stop(Exception):
        pass

    @sa.event.listens_for(engine, "do_connect")
    def record(dialect, conn_rec, cargs, cparams):
        reached.append(cparams["port"])
        raise Stop

    for _ in range(3):
        with pytest.raises(Stop):
            engine.connect()
    node2, node3 = ENDPOINTS["pg-node2"].bound_port, ENDPOINTS["pg-node3"].bound_port
    assert reached == [node2, node3, node2]
