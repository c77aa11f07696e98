"""Every service of the local cloud answers, in the role DESIGN.md gives it."""
import uuid

import psutil
import pymysql
import sqlalchemy as sa
from pymemcache.client.base import Client

from labkit import accounts, cluster, db, paths, poll, status
from labkit.endpoints import ENDPOINTS
from labkit.services import redis as redis_svc


def test_status_reports_every_service_healthy():
    rows = status.wait_healthy(30)  # raises with the table if some service stays unhealthy
    assert {r.service for r in rows} == {e.name for e in ENDPOINTS.values() if e.public and not e.on_demand}


def test_the_writer_endpoint_leads_to_patronis_leader_and_the_reader_endpoint_to_replicas():
    leader = cluster.writer()
    with db.engine("pg-writer").connect() as conn:
        who = db.identify(conn)
    assert (who.engine, who.node, who.read_only) == ("postgresql", leader, False)
    with db.engine("pg-reader").connect() as conn:
        who = db.identify(conn)
    assert who.node != leader and who.read_only


def test_postgres_connections_use_verified_tls():
    with db.engine("pg-writer").connect() as conn:
        assert conn.execute(sa.text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).scalar()


def test_the_proxy_pools_in_front_of_the_writer():
    with db.engine("pg-proxy").connect() as conn:
        assert db.identify(conn).node == cluster.writer()


def test_mysql_reader_replicates_the_writer():
    marker = uuid.uuid4().hex
    with db.engine("mysql-writer").begin() as conn:
        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS test_repl (marker VARCHAR(32))"))
        conn.execute(sa.text("INSERT INTO test_repl VALUES (:m)"), {"m": marker})
    reader = db.engine("mysql-reader")

    def replicated() -> bool:
        with reader.connect() as conn:
            return conn.execute(sa.text("SELECT 1 FROM test_repl WHERE marker = :m"), {"m": marker}).first() is not None

    poll.until(replicated, 10, "the MySQL replica to receive the row", interval=0.05)
    with db.engine("mysql-writer").begin() as conn:
        conn.execute(sa.text("DROP TABLE test_repl"))


def test_the_course_user_cannot_write_on_the_mysql_reader():
    host, port = ENDPOINTS["mysql-reader"].address
    login = db.credentials.mysql()
    conn = pymysql.connect(host=host, port=port, user=login.user, password=login.password, database=login.database)
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE should_fail (id INT)")
    except pymysql.err.OperationalError as exc:
        assert exc.args[0] == 1290  # read-only
    else:
        raise AssertionError("the MySQL reader accepted a write")
    finally:
        conn.close()


def test_redis_primary_endpoint_replica_and_sentinels():
    primary = redis_svc.client("redis-primary")
    key = f"test:{uuid.uuid4().hex}"
    primary.set(key, "v", ex=60)
    assert primary.info("replication")["role"] == "master"
    replica_name = next(n for n in redis_svc.NODES if redis_svc.client(n).info("replication")["role"] == "slave")
    poll.until(lambda: redis_svc.client(replica_name).get(key) == b"v", 5, f"{replica_name} to receive the key",
               interval=0.02)
    for name in redis_svc.SENTINELS:
        master = redis_svc.client(name).sentinel_master(redis_svc.MASTER_NAME)
        assert master["num-other-sentinels"] == 2 and master["quorum"] == 2


def test_both_memcached_nodes_store_values():
    for name in ("memcached1", "memcached2"):
        client = Client(ENDPOINTS[name].address)
        client.set("test-key", name.encode(), expire=60)
        assert client.get("test-key") == name.encode()
        client.close()


def test_daemons_run_unprivileged_and_keep_state_in_the_state_folder():
    state = str(paths.state_dir())
    ours = [p for p in psutil.process_iter(["name", "uids", "cmdline"])
            if any(state in arg for arg in p.info["cmdline"] or ())
            and p.info["name"] in ("postgres", "mariadbd", "etcd", "haproxy", "pgbouncer", "redis-server")]
    assert {p.info["name"] for p in ours} >= {"postgres", "mariadbd", "etcd", "haproxy", "pgbouncer"}
    if accounts.switching_user():
        assert all(p.info["uids"].real == accounts.daemon_account().uid for p in ours)
