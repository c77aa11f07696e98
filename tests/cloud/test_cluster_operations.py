"""kill -9 of the writer: Patroni promotes a reader and the writer endpoint follows it."""
import sqlalchemy as sa

from labkit import cluster, db, poll


def _answering(engine) -> db.Server | None:
    """Who answers on the endpoint now; None while it has no writer to route to (the outage)."""
    try:
        with engine.connect() as conn:
            return db.identify(conn)
    except sa.exc.OperationalError:
        return None


def test_a_crashed_writer_is_replaced_and_the_endpoint_follows():
    old = cluster.crash_writer()
    new, waited = cluster.wait_for_new_writer(old, timeout=60)
    assert new != old and waited < 60
    engine = db.engine("pg-writer", poolclass=sa.pool.NullPool)
    poll.until(lambda: getattr(_answering(engine), "node", None) == new, 10, f"the writer endpoint to lead to {new}")
    cluster.heal()
    roles = {m.name: m.role for m in cluster.topology()}
    assert roles[old] == "reader" and roles[new] == "writer"


def test_quorum_commit_can_be_switched_on_and_off():
    try:
        names = cluster.set_quorum_commit(True)
        assert names.startswith("ANY 1 ("), names
        replicas = [m.name for m in cluster.topology() if m.role == "reader"]
        poll.until(lambda: all(r in cluster.synchronous_standby_names() for r in replicas), 15,  # ~1 s
                   f"the quorum to list every replica {replicas}", interval=0.2,
                   hint=lambda: f"it is {cluster.synchronous_standby_names()!r}")
        with db.engine("pg-writer").connect() as conn:
            assert conn.execute(sa.text("SHOW synchronous_commit")).scalar() == "on"
    finally:
        assert cluster.set_quorum_commit(False) == ""


def test_a_reader_can_be_added_to_the_reader_endpoint_and_removed():
    added = cluster.add_reader()
    try:
        engine = db.engine("pg-reader", poolclass=sa.pool.NullPool)
        answered = set()
        for _ in range(9):
            with engine.connect() as conn:
                answered.add(db.identify(conn).node)
        assert added in answered and len(answered) == 3, answered
    finally:
        cluster.remove_reader()
    assert [m.name for m in cluster.topology()] == ["pg-node1", "pg-node2", "pg-node3"]
