"""Three PostgreSQL nodes run by Patroni with etcd: the Aurora PostgreSQL cluster stand-in.

Patroni decides which node is the writer, promotes the most advanced replica when the writer
dies, repoints the others and rewinds the old writer. Its settings follow what makes failover
quick on a laptop: the shortest lease Patroni accepts (ttl 20 s, loop_wait 1 s, retry_timeout
3 s), and ``primary_start_timeout: 0`` so a crashed postmaster fails over instead of restarting
in place.
"""
from __future__ import annotations

import fcntl
import hashlib
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import yaml
from psycopg import sql

from labkit import accounts, binaries, credentials, paths, poll, procs, tls
from labkit.endpoints import ENDPOINTS, PG_EXTRA_NODE, PG_NODES, START_HINT
from labkit.services.base import Daemon, http_json

SCOPE = "aurora-pg"
NAMESPACE = "/labkit/"
DCS_SETTINGS = {
    "ttl": 20,
    "loop_wait": 1,
    "retry_timeout": 3,
    "primary_start_timeout": 0,
    "maximum_lag_on_failover": 1048576,
    "synchronous_mode": False,
}
# The longest a failover may take here: a lost leader's lease runs out after ttl, and the next
# agent loop promotes a replica; doubled, for a busy machine.
FAILOVER_BOUND_S = 2 * (DCS_SETTINGS["ttl"] + DCS_SETTINGS["loop_wait"])


def api_url(node: int, path: str = "") -> str:
    return f"http://127.0.0.1:{ENDPOINTS[f'patroni{node}'].bound_port}{path}"


def _requirement() -> str:
    """Patroni's line in requirements.txt, so both environments install the same version."""
    text = (paths.REPO / "requirements.txt").read_text()
    return re.search(r"^patroni\[.*$", text, re.M).group(0)


_install_lock = threading.Lock()


def patroni_program() -> str:
    """The patroni executable, runnable by the daemon account.

    As root, the course's own virtual environment may sit in a private folder the daemon account
    cannot read (a Python under /root), so Patroni gets a small environment of its own under
    /var/tmp, made with the system Python once per Patroni version and shared by every local cloud
    of this machine (a file lock keeps parallel test workers from building it twice).
    """
    if not accounts.switching_user():
        return str(Path(sys.executable).with_name("patroni"))
    spec = _requirement()
    venv = Path("/var/tmp") / f"labkit-patroni-{hashlib.sha1(spec.encode()).hexdigest()[:10]}"
    program = venv / "bin" / "patroni"
    with _install_lock, open(f"{venv}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if program.exists():
            return str(program)
        print(f"  creating Patroni's environment in {venv} (once)", flush=True)
        for step in (["/usr/bin/python3", "-m", "venv", str(venv)],
                     [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", spec]):
            done = subprocess.run(step, capture_output=True, text=True)
            if done.returncode:
                raise RuntimeError(f"{' '.join(step)} failed:\n{done.stderr[-3000:]}")
    return str(program)


AUDIT_LIBRARY = "pgaudit"


def audit_library_installed() -> bool:
    """Whether pgaudit's library is installed beside this PostgreSQL (Debian: postgresql-<major>-pgaudit)."""
    done = subprocess.run([str(binaries.postgres_bin_dir() / "pg_config"), "--pkglibdir"],
                          capture_output=True, text=True)
    folder = Path(done.stdout.strip())
    return done.returncode == 0 and any((folder / f"{AUDIT_LIBRARY}{ext}").exists() for ext in (".so", ".dylib"))


def preloaded() -> dict:
    """The libraries every node loads at start, in its own configuration (which takes precedence
    over the cluster-wide one): pgaudit among them when it is installed, logging nothing until a
    lab raises ``pgaudit.log`` for a role or a session. PostgreSQL refuses to start with a library
    it cannot find, so a machine without pgaudit runs without it."""
    if not audit_library_installed():
        return {"shared_preload_libraries": "pg_stat_statements"}
    return {"shared_preload_libraries": f"pg_stat_statements,{AUDIT_LIBRARY}", "pgaudit.log": "none"}


class PatroniNode(Daemon):
    @property
    def index(self) -> int:
        return int(self.name[-1])

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    def settings(self) -> dict:
        pw = credentials.local()
        certs = tls.files()
        port = ENDPOINTS[self.name].bound_port
        api = ENDPOINTS[f"patroni{self.index}"].bound_port
        return {
            "scope": SCOPE,
            "namespace": NAMESPACE,
            "name": self.name,
            "restapi": {"listen": f"127.0.0.1:{api}", "connect_address": f"127.0.0.1:{api}"},
            "etcd3": {"hosts": [f"127.0.0.1:{ENDPOINTS['etcd'].bound_port}"]},
            "bootstrap": {
                "dcs": {
                    **DCS_SETTINGS,
                    "postgresql": {
                        "use_pg_rewind": True,
                        "use_slots": True,
                        "parameters": {
                            "wal_level": "replica", "hot_standby": "on", "wal_log_hints": "on",
                            "max_wal_senders": 10, "max_replication_slots": 10, "wal_keep_size": "256MB",
                            "max_connections": 200, "password_encryption": "scram-sha-256",
                            "track_commit_timestamp": "on",
                            # Archiving is on but discards (true) until a lab points it at
                            # wal_archive_dir() for point-in-time recovery, so WAL never piles up.
                            "archive_mode": "on", "archive_command": "/bin/true",
                            "ssl": "on", "ssl_cert_file": str(certs["cert"]),
                            "ssl_key_file": str(certs["key"]), "ssl_ca_file": str(certs["ca"]),
                        },
                    },
                },
                "initdb": [{"encoding": "UTF8"}, {"locale": "C"}, "data-checksums"],
            },
            "postgresql": {
                "listen": f"127.0.0.1:{port}",
                "connect_address": f"127.0.0.1:{port}",
                "data_dir": str(self.data_dir),
                "bin_dir": str(binaries.postgres_bin_dir()),
                "pgpass": str(self.folder / "pgpass"),
                "authentication": {
                    "superuser": {"username": "postgres", "password": pw["pg_superuser"]},
                    "replication": {"username": "replicator", "password": pw["pg_replication"]},
                    "rewind": {"username": "rewinder", "password": pw["pg_rewind"]},
                },
                "parameters": {"unix_socket_directories": str(self.folder), **preloaded()},
                "basebackup": [{"checkpoint": "fast"}],
                # A replica that replayed WAL the new writer never had cannot follow it; rebuild it
                # from the writer instead of leaving it out of the cluster (Aurora replaces it).
                "remove_data_directory_on_diverged_timelines": True,
                "remove_data_directory_on_rewind_failure": True,
                "pg_hba": [
                    "local all all trust",
                    "host replication replicator 127.0.0.1/32 scram-sha-256",
                    "host all all 127.0.0.1/32 scram-sha-256",
                ],
            },
        }

    def prepare(self) -> None:
        tls.ensure()
        accounts.write(self.folder / "patroni.yml", yaml.safe_dump(self.settings(), sort_keys=False), 0o600)

    def argv(self) -> list[str]:
        return [patroni_program(), str(self.folder / "patroni.yml")]

    def ready(self) -> bool:
        """The agent answers. Whether its PostgreSQL has joined the cluster is cluster.healthy()'s
        question: a replica may need minutes to catch up, and heal() may rebuild one."""
        status, _ = http_json(api_url(self.index, "/patroni"))
        return status in (200, 503)

    def leftovers(self) -> None:
        """A killed Patroni leaves its PostgreSQL running as a writable orphan: stop it."""
        pid = procs.postmaster_pid(self.data_dir)
        if pid is not None:
            procs.stop_pid(pid, timeout=5.0, sig=signal.SIGINT)  # PostgreSQL's fast shutdown


DAEMONS = [PatroniNode(f"pg-node{i}", binds=(f"pg-node{i}", f"patroni{i}"), after=("etcd",),
                       optional=i > PG_NODES)
           for i in range(1, PG_EXTRA_NODE + 1)]


def wal_archive_dir() -> Path:
    """Where a lab may archive WAL (archive_command) for point-in-time recovery."""
    return paths.sub("wal-archive")


def superuser_url(endpoint: str = "pg-writer", database: str = "postgres") -> str:
    host, port = ENDPOINTS[endpoint].address
    return (f"host={host} port={port} user=postgres password={credentials.local()['pg_superuser']} "
            f"dbname={database} sslmode=require connect_timeout=3")


def writer_session(timeout: float = 60.0):
    """A superuser session on the writer, through the writer endpoint, once it leads to one.

    Right after a start, HAProxy holds every node "up" until its first check, and Patroni has not
    yet promoted anyone, so the endpoint may briefly lead to a replica or to nothing.
    """
    def writer() -> psycopg.Connection | None:
        conn = psycopg.connect(superuser_url(), autocommit=True)
        if not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
            return conn
        conn.close()
        return None

    host, port = ENDPOINTS["pg-writer"].address
    return poll.until(writer, timeout, f"the writer endpoint ({host}:{port}) to lead to a writer",
                      retry_on=(psycopg.OperationalError,),
                      hint=f"start the local cloud with `{START_HINT}`")


def setup() -> None:
    """Create the course's login and database through the writer endpoint (idempotent)."""
    lab = credentials.pg()
    with writer_session() as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [lab.user]).fetchone()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(lab.user), sql.Literal(lab.password)))
        conn.execute(sql.SQL("GRANT pg_monitor TO {}").format(sql.Identifier(lab.user)))
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [lab.database]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(lab.database), sql.Identifier(lab.user)))
