"""Plain servers started by hand, outside labkit, as a reader's own servers would be.

A PostgreSQL primary with TLS and a streaming replica made with pg_basebackup, a MariaDB writer
and a GTID replica, a Redis that asks for a password with a replica (as an ElastiCache
replication group has), and two memcached nodes: each on 127.0.0.1,
on a port from 20000-20999 that no labkit endpoint uses, with logins of its own, run as the
unprivileged account (PostgreSQL and MariaDB refuse root). ``env()`` is what a reader would
export to point the labs at them.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pymysql
import redis

from labkit import accounts, binaries, kinds, ports
from labkit.endpoints import ENDPOINTS, port_offset

PORTS = range(20000, 21000)
LOGIN = {"user": "shopper", "password": "plain-pw-1", "database": "shop"}
REDIS_PASSWORD = "plain-redis-pw"
REPLICATION_PASSWORD = "plain-repl-pw"


def free_ports(count: int) -> list[int]:
    """``count`` free ports of PORTS that no labkit endpoint uses at this port offset."""
    labkit_ports = {e.port + port_offset() for e in ENDPOINTS.values()}
    found = [p for p in PORTS if p not in labkit_ports and ports.is_free("127.0.0.1", p)][:count]
    assert len(found) == count, f"fewer than {count} free ports in {PORTS}"
    return found


def _run(argv: list[str], what: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, **accounts.popen_kwargs())
    assert done.returncode == 0, f"{what} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"


def _wait(address: tuple[str, int], kind: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not kinds.answers(address, kind):
        assert time.monotonic() < deadline, f"no {kind} at {address} after {timeout:.0f} s"
        time.sleep(0.1)


class PlainServers:
    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="labkit-plain-", dir="/var/tmp"))
        accounts.give(self.folder, 0o755)
        names = ("pg-primary", "pg-replica", "mysql-writer", "mysql-reader", "redis", "redis-replica",
                 "memcached1", "memcached2")
        self.port = dict(zip(names, free_ports(len(names))))
        self.procs: list[subprocess.Popen] = []
        self.pg_dirs: list[Path] = []

    def sub(self, name: str) -> Path:
        path = self.folder / name
        path.mkdir()
        accounts.give(path, 0o700)
        return path

    def spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.folder / f"{name}.log", "ab")
        self.procs.append(subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                           cwd=self.folder, **accounts.popen_kwargs()))
        log.close()

    # --- PostgreSQL -------------------------------------------------------------------------

    def _certificate(self) -> tuple[Path, Path]:
        cert, key = self.folder / "server.crt", self.folder / "server.key"
        done = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                               "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", str(key),
                               "-out", str(cert)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        accounts.give(cert, 0o644)
        accounts.give(key, 0o600)
        return cert, key

    def _pg_start(self, data: Path, port: int) -> None:
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {port}\n")
        self.pg_dirs.append(data)
        _run([str(binaries.postgres_bin_dir() / "pg_ctl"), "-D", str(data), "-l", str(data.parent / f"{data.name}.log"),
              "-w", "-t", "60", "start"], f"starting PostgreSQL in {data}")

    def start_postgresql(self) -> None:
        bin_dir = binaries.postgres_bin_dir()
        cert, key = self._certificate()
        primary = self.folder / "pg-primary"
        _run([str(bin_dir / "initdb"), "-D", str(primary), "-U", "postgres", "--auth-local=trust",
              "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C"], "initdb")
        with open(primary / "postgresql.conf", "a") as conf:
            conf.write(f"listen_addresses = '127.0.0.1'\nunix_socket_directories = '{self.folder}'\n"
                       f"ssl = on\nssl_cert_file = '{cert}'\nssl_key_file = '{key}'\nfsync = off\n")
        self._pg_start(primary, self.port["pg-primary"])
        with psycopg.connect(host=str(self.folder), port=self.port["pg-primary"], user="postgres",
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {LOGIN['user']} LOGIN PASSWORD '{LOGIN['password']}'")
            conn.execute(f"CREATE DATABASE {LOGIN['database']} OWNER {LOGIN['user']}")
            conn.execute(f"GRANT pg_monitor TO {LOGIN['user']}")  # as RDS's master user has it
        replica = self.folder / "pg-replica"
        _run([str(bin_dir / "pg_basebackup"), "-h", str(self.folder), "-p", str(self.port["pg-primary"]),
              "-U", "postgres", "-D", str(replica), "-R", "-X", "stream", "-c", "fast"], "pg_basebackup")
        self._pg_start(replica, self.port["pg-replica"])

    # --- MariaDB ----------------------------------------------------------------------------

    def _mysql_config(self, name: str, server_id: int) -> Path:
        conf = self.folder / f"{name}.cnf"
        conf.write_text(f"""\
[mariadbd]
datadir = {self.folder / name}
tmpdir = {self.folder / 'tmp'}
socket = {self.folder / name}.sock
pid-file = {self.folder / name}.pid
port = {self.port[name]}
bind-address = 127.0.0.1
skip-name-resolve
server-id = {server_id}
log-bin = binlog
binlog-format = ROW
gtid-strict-mode = ON
read-only = {'ON' if name == 'mysql-reader' else 'OFF'}
innodb-buffer-pool-size = 32M
""")
        accounts.give(conf, 0o644)
        return conf

    def _root(self, name: str) -> pymysql.Connection:
        return pymysql.connect(unix_socket=f"{self.folder / name}.sock", user="root", autocommit=True)

    def start_mariadb(self) -> None:
        self.sub("tmp")
        confs = {name: self._mysql_config(name, i) for i, name in enumerate(("mysql-writer", "mysql-reader"), 1)}
        _run([binaries.find("mariadb-install-db"), f"--defaults-file={confs['mysql-writer']}",
              "--auth-root-authentication-method=normal", "--skip-test-db"], "mariadb-install-db")
        _run(["cp", "-a", str(self.folder / "mysql-writer"), str(self.folder / "mysql-reader")],
             "copying the fresh data folder for the replica")
        for name, conf in confs.items():
            self.spawn(name, [binaries.find("mariadbd"), f"--defaults-file={conf}"])
        for name in confs:
            _wait(("127.0.0.1", self.port[name]), kinds.MYSQL)
        with self._root("mysql-writer") as conn, conn.cursor() as cur:
            for sql in (f"CREATE USER 'repl'@'%' IDENTIFIED BY '{REPLICATION_PASSWORD}'",
                        "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%'",
                        f"CREATE DATABASE {LOGIN['database']}",
                        f"CREATE USER '{LOGIN['user']}'@'%' IDENTIFIED BY '{LOGIN['password']}'",
                        f"GRANT ALL ON {LOGIN['database']}.* TO '{LOGIN['user']}'@'%'",
                        # as RDS's master user may watch replication
                        f"GRANT SLAVE MONITOR, BINLOG MONITOR ON *.* TO '{LOGIN['user']}'@'%'"):
                cur.execute(sql)
        with self._root("mysql-reader") as conn, conn.cursor() as cur:
            cur.execute(f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={self.port['mysql-writer']}, "
                        f"MASTER_USER='repl', MASTER_PASSWORD='{REPLICATION_PASSWORD}', "
                        f"MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1")
            cur.execute("START SLAVE")
            deadline = time.monotonic() + 30
            while not cur.execute(f"SELECT 1 FROM mysql.user WHERE user = '{LOGIN['user']}'"):
                assert time.monotonic() < deadline, "the MariaDB replica did not receive the course's user"
                time.sleep(0.1)

    # --- caches -----------------------------------------------------------------------------

    def start_caches(self) -> None:
        for name in ("redis", "redis-replica"):
            follow = ["--replicaof", "127.0.0.1", str(self.port["redis"])] if name == "redis-replica" else []
            self.spawn(name, [binaries.find("redis-server"), "--port", str(self.port[name]), "--bind", "127.0.0.1",
                              "--requirepass", REDIS_PASSWORD, "--masterauth", REDIS_PASSWORD, *follow,
                              "--save", "", "--appendonly", "no", "--dir", str(self.sub(name))])
        for name in ("memcached1", "memcached2"):
            self.spawn(name, [binaries.find("memcached"), "-l", "127.0.0.1", "-p", str(self.port[name]),
                              "-U", "0", "-m", "32"])
        for name in ("redis", "redis-replica"):
            _wait(("127.0.0.1", self.port[name]), kinds.REDIS)
        primary = redis.Redis(port=self.port["redis"], password=REDIS_PASSWORD, decode_responses=True)
        deadline = time.monotonic() + 30
        while primary.info("replication")["connected_slaves"] < 1:
            assert time.monotonic() < deadline, "the Redis replica did not connect to its primary"
            time.sleep(0.1)
        for name in ("memcached1", "memcached2"):
            _wait(("127.0.0.1", self.port[name]), kinds.MEMCACHED)

    def start(self) -> "PlainServers":
        self.start_postgresql()
        self.start_mariadb()
        self.start_caches()
        self.settings_at_start = self.settings()
        return self

    def settings(self) -> dict[str, object]:
        """What the labs must leave as they found it: each Redis node's configuration (CONFIG SET
        changes it) and each PostgreSQL instance's configuration files (ALTER SYSTEM writes there)."""
        found: dict[str, object] = {}
        for name in ("redis", "redis-replica"):
            node = redis.Redis(port=self.port[name], password=REDIS_PASSWORD, decode_responses=True)
            found[name] = node.config_get("*")
            node.close()
        for name in ("pg-primary", "pg-replica"):
            with psycopg.connect(host=str(self.folder), port=self.port[name], user="postgres", dbname="postgres") as conn:
                found[name] = conn.execute("SELECT name, setting FROM pg_file_settings ORDER BY seqno").fetchall()
        return found

    def env(self) -> dict[str, str]:
        """The variables that point the labs at these servers, as the README lists them."""
        at = {name: f"127.0.0.1:{port}" for name, port in self.port.items()}
        return {
            "LABKIT_PG_WRITER": at["pg-primary"], "LABKIT_PG_READER": at["pg-replica"],
            "LABKIT_PG_NODE1": at["pg-primary"], "LABKIT_PG_NODE2": at["pg-replica"],
            "LABKIT_PG_USER": LOGIN["user"], "LABKIT_PG_PASSWORD": LOGIN["password"],
            "LABKIT_PG_DATABASE": LOGIN["database"], "LABKIT_PG_SSLMODE": "require",
            "LABKIT_MYSQL_WRITER": at["mysql-writer"], "LABKIT_MYSQL_READER": at["mysql-reader"],
            "LABKIT_MYSQL_USER": LOGIN["user"], "LABKIT_MYSQL_PASSWORD": LOGIN["password"],
            "LABKIT_MYSQL_DATABASE": LOGIN["database"],
            "LABKIT_REDIS_PRIMARY": at["redis"], "LABKIT_REDIS_PASSWORD": REDIS_PASSWORD,
            "LABKIT_MEMCACHED1": at["memcached1"], "LABKIT_MEMCACHED2": at["memcached2"],
        }

    def stop(self) -> None:
        """Stop every server started here and delete their data."""
        for proc in self.procs:
            proc.terminate()
        for data in self.pg_dirs:
            subprocess.run([str(binaries.postgres_bin_dir() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                           capture_output=True, **accounts.popen_kwargs())
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(self.folder, ignore_errors=True)
