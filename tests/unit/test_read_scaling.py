import itertools
import sqlite3

import pytest
import sqlalchemy as sa

from labkit.aurora import read_scaling


def nodes_in_turn():
    """A read that answers pg-node2, pg-node3, pg-node2, ... as a round-robin endpoint would."""
    turn = itertools.cycle(["pg-node2", "pg-node3"])
    return lambda conn: next(turn)


def test_connection_spread_counts_the_node_each_read_names():
    engine = sa.create_engine("sqlite://", poolclass=sa.pool.NullPool)
    assert read_scaling.connection_spread(engine, nodes_in_turn(), 5) == {"pg-node2": 3, "pg-node3": 2}


def test_connection_spread_counts_refused_connections():
    def refuse():
        raise sqlite3.OperationalError("connection refused")

    engine = sa.create_engine("sqlite://", creator=refuse, poolclass=sa.pool.NullPool)
    assert read_scaling.connection_spread(engine, nodes_in_turn(), 2) == {"refused": 2}


def test_connection_spread_rejects_a_count_below_one():
    with pytest.raises(ValueError, match="at least 1"):
        read_scaling.connection_spread(None, nodes_in_turn(), 0)


def test_time_until_served_stops_once_the_node_answers(monkeypatch):
    answers = iter(["pg-node2", "pg-node3", "pg-node4"])
    monkeypatch.setattr(read_scaling.time, "sleep", lambda s: None)
    engine = sa.create_engine("sqlite://", poolclass=sa.pool.NullPool)
    assert read_scaling.time_until_served("pg-node4", engine, lambda conn: next(answers)) >= 0
    with pytest.raises(StopIteration):
        next(answers)  # it stopped asking once pg-node4 answered


def test_time_until_served_names_the_node_when_it_never_answers():
    engine = sa.create_engine("sqlite://", poolclass=sa.pool.NullPool)
    with pytest.raises(TimeoutError, match="pg-node4"):
        read_scaling.time_until_served("pg-node4", engine, lambda conn: "pg-node2", timeout=0.1)
