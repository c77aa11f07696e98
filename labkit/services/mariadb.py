"""MariaDB writer + reader with GTID replication: the Aurora MySQL stand-in.

Each node has its own tmpdir (parallel installs collided in /tmp) and its own socket; the
reader is read-only and replicates from the writer by GTID, so it can be repointed like Aurora's.
It applies the binlog with four parallel workers, as MySQL 8 replicas do by default: with one, a
replica cannot keep up with several clients writing at once, and its lag grows without end.
"""
from __future__ import annotations

import subprocess

import pymysql

from labkit import accounts, binaries, credentials
from labkit.endpoints import ENDPOINTS
from labkit.services.base import Daemon

WRITER, READER = "mysql-writer", "mysql-reader"


class MariaDB(Daemon):
    @property
    def server_id(self) -> int:
        return 1 if self.name == WRITER else 2

    @property
    def socket_path(self) -> str:
        return str(self.folder / "mysqld.sock")

    def _config(self) -> str:
        f = self.folder
        return f"""\
[mariadbd]
datadir = {f}/data
tmpdir = {f}/tmp
socket = {self.socket_path}
pid-file = {f}/mariadbd.pid
port = {ENDPOINTS[self.name].bound_port}
bind-address = 127.0.0.1
skip-name-resolve
server-id = {self.server_id}
log-bin = {f}/data/binlog
binlog-format = ROW
binlog-row-image = FULL
log-slave-updates = ON
gtid-strict-mode = ON
slave-parallel-threads = 4
read-only = {'ON' if self.name == READER else 'OFF'}
innodb-buffer-pool-size = 64M
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
"""

    def prepare(self) -> None:
        conf = accounts.write(self.folder / "my.cnf", self._config())
        (self.folder / "tmp").mkdir(exist_ok=True)
        accounts.give(self.folder / "tmp")
        if (self.folder / "data" / "mysql").exists():
            return
        done = subprocess.run(
            [binaries.find("mariadb-install-db"), f"--defaults-file={conf}",
             "--auth-root-authentication-method=normal", "--skip-test-db"],
            capture_output=True, text=True, **accounts.popen_kwargs(),
        )
        if done.returncode:
            raise RuntimeError(f"mariadb-install-db failed for {self.name}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")

    def argv(self) -> list[str]:
        return [binaries.find("mariadbd"), f"--defaults-file={self.folder / 'my.cnf'}"]

    def root(self) -> pymysql.Connection:
        """A root session over the node's socket (password set by setup, empty before it)."""
        for password in (credentials.local()["mysql_root"], ""):
            try:
                return pymysql.connect(unix_socket=self.socket_path, user="root", password=password,
                                       autocommit=True, connect_timeout=2)
            except pymysql.err.OperationalError as err:
                if err.args[0] != 1045:  # 1045: access denied, so try the other password
                    raise
        raise PermissionError(f"cannot log in as root on {self.name}; delete {self.folder} and run up again")

    def ready(self) -> bool:
        try:
            self.root().close()
            return True
        except (pymysql.err.OperationalError, PermissionError):
            return False


def setup() -> None:
    """Create the course's users and database on the writer and start replication (idempotent)."""
    writer, reader = DAEMONS
    pw = credentials.local()
    lab = credentials.mysql()
    with writer.root() as conn, conn.cursor() as cur:
        for sql in (
            f"CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY '{pw['mysql_repl']}'",
            "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%'",
            f"CREATE DATABASE IF NOT EXISTS `{lab.database}`",
            f"CREATE USER IF NOT EXISTS '{lab.user}'@'%' IDENTIFIED BY '{lab.password}'",
            f"GRANT ALL ON `{lab.database}`.* TO '{lab.user}'@'%'",
            f"GRANT SLAVE MONITOR, BINLOG MONITOR ON *.* TO '{lab.user}'@'%'",
            # reading the binlog over the network and applying mariadb-binlog's output (flashback)
            f"GRANT REPLICATION SLAVE, BINLOG REPLAY ON *.* TO '{lab.user}'@'%'",
            f"ALTER USER 'root'@'localhost' IDENTIFIED BY '{pw['mysql_root']}'",
        ):
            cur.execute(sql)
    with reader.root() as conn, conn.cursor() as cur:
        cur.execute("SHOW SLAVE STATUS")
        if cur.fetchone() is None:
            host, port = ENDPOINTS[WRITER].address
            cur.execute(
                f"CHANGE MASTER TO MASTER_HOST='{host}', MASTER_PORT={port}, MASTER_USER='repl', "
                f"MASTER_PASSWORD='{pw['mysql_repl']}', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1"
            )
        cur.execute("START SLAVE")


DAEMONS = [MariaDB(WRITER, binds=(WRITER,)), MariaDB(READER, binds=(READER,))]
