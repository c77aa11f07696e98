"""Labs 7 and 11 hand their own functions to labkit's harnesses; here the functions, taken from the
pages' cells, run through those harnesses against the real servers, which the unit tests' stand-ins
only imitate: a real memcached refuses a stale cas, a real reader endpoint answers a fresh
connection."""
import ast
import json
import time
from pathlib import Path

import jupytext
import sqlalchemy as sa

from labkit import db
from labkit.aurora import rolling
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
    client = rolling.ClientLoop(rolling.fresh_engine("pg-reader"), lambda conn: db.identify(conn)["node"],
                                run=lambda engine, operation: page["with_retries"](engine, operation, retries=2))
    with client:
        time.sleep(0.3)
    assert client.attempts and not client.failed, f"a read failed with no restart going on: {client.failed}"
    assert all(a.tries == 1 and a.node.startswith("pg-node") for a in client.attempts), client.attempts[:3]
