"""The proxy's own login to the database, which its clients never see.

RDS Proxy logs in to the database with credentials it reads from AWS Secrets Manager; the
application logs in to the proxy with its own. Here a lab gives PgBouncer a database alias
(``alias``) whose server login, a role of the lab's (``ROLE``) with its password, is written in
a file of the proxy's own (``pgbouncer.SECRETS``, mode 0600, owned by the account that runs
PgBouncer) and read at each ``RELOAD``. The file is empty in the baseline: ``forget`` empties it
again and drops the role, which is how a lab stopped halfway is healed (``labkit.baseline``).
"""
from __future__ import annotations

from psycopg import sql

from labkit import accounts, credentials
from labkit.endpoints import ENDPOINTS
from labkit.proxy import admin
from labkit.services import BY_NAME
from labkit.services.patroni import writer_session
from labkit.services.pgbouncer import SECRETS

ROLE = "lab_proxy_login"  # the login the proxy uses on the database; no client knows its password


def alias(database: str) -> str:
    """The name clients connect to, on the proxy, to be served with the proxy's own login."""
    return f"{database}_app"


def secret_file():
    return BY_NAME["pgbouncer"].folder / SECRETS


def store(password: str, role: str = ROLE) -> None:
    """Write the proxy's secret: its alias of the course's database, logging in as ``role``."""
    host, port = ENDPOINTS["pg-writer"].address
    database = credentials.pg().database
    accounts.write(secret_file(), f"{alias(database)} = host={host} port={port} dbname={database} "
                                  f"user={role} password={password}\n", 0o600)


def held() -> bool:
    """Whether the proxy holds a lab's secret, or the lab's role is still in the database."""
    path = secret_file()
    if path.exists() and path.read_text().strip():
        return True
    with writer_session() as conn:
        return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [ROLE]).fetchone() is not None


def forget() -> None:
    """Empty the secret, make the proxy forget the alias, and drop the role."""
    accounts.write(secret_file(), "", 0o600)
    admin.reset()
    with writer_session() as conn:
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(ROLE)))
