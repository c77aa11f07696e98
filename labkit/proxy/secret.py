"""The proxy's own login to the database, which its clients never see.

RDS Proxy logs in to the database with credentials it reads from AWS Secrets Manager; the
application logs in to the proxy with its own. Here a lab gives PgBouncer a database alias
(``alias``) whose server login, a role of the lab's (one of ``ROLES``) and its password, is written in
a file of the proxy's own (``pgbouncer.SECRETS``, mode 0600, owned by the account that runs
PgBouncer) and read at each ``RELOAD``; ``rotate`` changes that password under load. The file is empty in the baseline: ``forget`` empties it
again and drops the roles, which is how a lab stopped halfway is healed (``labkit.baseline``).
"""
from __future__ import annotations

import secrets
from collections.abc import Callable

from psycopg import sql

from labkit import accounts, credentials
from labkit.endpoints import ENDPOINTS
from labkit.proxy import admin
from labkit.services import BY_NAME
from labkit.services.patroni import writer_session
from labkit.services.pgbouncer import SECRETS

# The logins the proxy uses on the database, no client knows their passwords: one, or two that
# take turns (Secrets Manager's "alternating users" rotation).
ROLES = ("lab_proxy_login_a", "lab_proxy_login_b")
# Server connections the proxy keeps for the alias, no more and no fewer: a pool that cannot
# grow opens no login a rotation's reload could cut halfway (``rotate``).
POOL = 2


def alias(database: str) -> str:
    """The name clients connect to, on the proxy, to be served with the proxy's own login."""
    return f"{database}_app"


def secret_file():
    return BY_NAME["pgbouncer"].folder / SECRETS


def store(password: str, role: str = ROLES[0]) -> None:
    """Write the proxy's secret: its alias of the course's database, logging in as ``role``."""
    host, port = ENDPOINTS["pg-writer"].address
    database = credentials.pg().database
    accounts.write(secret_file(), f"{alias(database)} = host={host} port={port} dbname={database} "
                                  f"user={role} password={password} "
                                  f"pool_size={POOL} min_pool_size={POOL} reserve_pool=0\n", 0o600)


def create_login(role: str, password: str) -> None:
    """A database role the proxy may log in as (what its secret holds)."""
    with writer_session() as conn:  # the cluster's administrator
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(password)))


def current() -> tuple[str, str]:
    """The role and password the proxy's secret logs in with now."""
    fields = dict(field.split("=", 1) for field in secret_file().read_text().split("=", 1)[1].split())
    return fields["user"], fields["password"]


def rotate(alternate: bool, in_window: Callable[[], object] | None = None) -> str:
    """Rotate the proxy's database password: the database first, then the secret.
    Single user (``alternate=False``): a new password for the role in use. Alternating users:
    a new password for the other role, which then takes over. ``in_window`` is called between
    the two steps, when the database has the new password and the secret still the old one.
    Returns the new password."""
    role = current()[0]
    if alternate:
        role = ROLES[1 - ROLES.index(role)]
    new = secrets.token_urlsafe(24)
    with writer_session() as conn:                        # set the secret in the database
        conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(new)))
    if in_window is not None:
        in_window()
    store(new, role)                                      # the secret's new version
    with admin.connect() as console:
        admin.await_full_pool(alias(credentials.pg().database), POOL, console)  # no login to cut
        console.execute("RELOAD")  # the proxy reads it, and replaces its server connections
    return new


def held() -> bool:
    """Whether the proxy holds a lab's secret, or the lab's role is still in the database."""
    path = secret_file()
    if path.exists() and path.read_text().strip():
        return True
    with writer_session() as conn:
        return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = ANY(%s)", [list(ROLES)]).fetchone() is not None


def forget() -> None:
    """Empty the secret, make the proxy forget the alias, and drop the roles."""
    accounts.write(secret_file(), "", 0o600)
    admin.reset()
    with writer_session() as conn:
        for role in ROLES:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
