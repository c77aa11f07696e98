"""A PostgreSQL server of the security labs' own, on the ``secure-pg`` endpoint: an RDS instance
whose certificate, pg_hba.conf and login checks a lab may change at will.

It starts empty in a few seconds, is reconfigured with a reload (as RDS applies a dynamic
parameter), and is stopped and deleted at the lab's end. The shared cluster is never touched.
labkit itself logs in as the superuser over the server's Unix socket, which only the daemon
account and root can open.
"""
from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import psycopg

from labkit import accounts, binaries, paths, procs
from labkit.endpoints import ENDPOINTS
from labkit.security import own_servers
from labkit.security.certs import Issued

NAME = "secure-pg"
SUPERUSER = "postgres"


class ScratchFailed(RuntimeError):
    """The lab's server did not start or stop; the message names its log."""


def data_dir() -> Path:
    return paths.state_dir() / NAME


def _as_daemon(*argv: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, **accounts.popen_kwargs())
    if done.returncode:
        raise ScratchFailed(f"{' '.join(argv[:2])} failed: {done.stderr[-1500:]} (log: {procs.log_file(NAME)})")


def _program(name: str) -> str:
    return str(binaries.postgres_bin_dir() / name)


def settings(cert: Issued, extra: dict[str, str] | None = None) -> str:
    """The server's settings file: its own port and socket, TLS with ``cert``, SCRAM passwords."""
    data = data_dir()
    values = {"port": str(ENDPOINTS[NAME].bound_port), "listen_addresses": "127.0.0.1",
              "unix_socket_directories": str(data), "ssl": "on", "ssl_cert_file": str(cert.cert),
              "ssl_key_file": str(cert.key), "password_encryption": "scram-sha-256",
              "max_connections": "50", "shared_buffers": "16MB", **(extra or {})}
    return "".join(f"{k} = '{v}'\n" for k, v in values.items())


def configure(cert: Issued, hba: list[str], extra: dict[str, str] | None = None) -> None:
    """Write the certificate, settings and pg_hba.conf rules, and reload a running server."""
    data = data_dir()
    accounts.write(data / "labkit.conf", settings(cert, extra), 0o600)
    local = f"local all {SUPERUSER} peer map=labkit"  # labkit's own door, over the socket only
    accounts.write(data / "pg_hba.conf", "\n".join([local, *hba]) + "\n", 0o600)
    accounts.write(data / "pg_ident.conf", f"labkit root {SUPERUSER}\nlabkit {accounts.daemon_account().name} "
                   f"{SUPERUSER}\n", 0o600)
    if running():
        with admin() as conn:
            conn.execute("SELECT pg_reload_conf()")
        time.sleep(0.3)  # the postmaster rereads the files on SIGHUP, a moment after the call returns


def start(cert: Issued, hba: list[str], timeout: float = 30.0) -> None:
    """A fresh, empty server with ``cert`` and the ``hba`` rules (lines of pg_hba.conf)."""
    own_servers.announce()
    stop()
    data = data_dir()
    data.mkdir()
    accounts.give(data, 0o700)
    _as_daemon(_program("initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=peer", "--no-sync",
               "-E", "UTF8", "--locale=C")
    conf = data / "postgresql.conf"
    accounts.write(conf, conf.read_text() + "\ninclude 'labkit.conf'\n", 0o600)
    configure(cert, hba)
    log = procs.log_file(NAME)
    _as_daemon(_program("pg_ctl"), "start", "-D", str(data), "-l", str(log), "-w", "-t", str(int(timeout)))


def running() -> bool:
    return procs.postmaster_pid(data_dir()) is not None


def admin() -> psycopg.Connection:
    """The superuser's connection, over the Unix socket (autocommit)."""
    return psycopg.connect(host=str(data_dir()), port=ENDPOINTS[NAME].bound_port, user=SUPERUSER,
                           dbname="postgres", autocommit=True)


def stop() -> None:
    """Stop the server if it runs and delete its data."""
    data = data_dir()
    if running():
        _as_daemon(_program("pg_ctl"), "stop", "-D", str(data), "-m", "fast", "-w")
    if data.exists():
        shutil.rmtree(data)
