"""PgBouncer's admin console (the ``pgbouncer`` database on pg-proxy): read its SHOW tables,
change a setting for a block and put the configuration file's value back when it ends.

The console speaks only the simple query protocol, hence ``prepare_threshold=None`` and autocommit.
``RELOAD`` re-reads pgbouncer.ini and resets every value a ``SET`` changed, and ``RECONNECT``
replaces the server connections, which may carry session state a lab left on them: that is how a
lab that changed a setting, or one stopped halfway, is healed (``labkit.baseline``).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import psycopg

from labkit import control, credentials, poll
from labkit.endpoints import endpoint

# The settings the labs change, as pgbouncer.ini sets them (labkit.services.pgbouncer).
BASELINE = {"default_pool_size": "20", "pool_mode": "transaction"}


def connect() -> psycopg.Connection:
    """A session on the admin console, as the course's login (an admin_users member)."""
    host, port = endpoint("pg-proxy").address
    login = credentials.pg()
    return psycopg.connect(host=host, port=port, user=login.user, password=login.password,
                           dbname="pgbouncer", autocommit=True, prepare_threshold=None, connect_timeout=3)


def readable() -> bool:
    """Whether pg-proxy's admin console lets the course's login in; when it does not (an RDS Proxy
    has none, a PgBouncer of a reader's may keep it to others), say so in one sentence."""
    try:
        connect().close()
        return True
    except psycopg.OperationalError as refused:
        host, port = endpoint("pg-proxy").address
        return control.skip(
            "read the proxy's pools and settings on its admin console",
            f"the proxy at {host}:{port} has no PgBouncer admin console that lets {credentials.pg().user} in "
            f"({str(refused).strip().splitlines()[-1]})",
            "RDS Proxy has none: read its ClientConnections, DatabaseConnections and "
            "DatabaseConnectionsBorrowLatency metrics in CloudWatch")


def show(what: str, conn: psycopg.Connection | None = None) -> list[dict]:
    """The rows of ``SHOW <what>`` (POOLS, STATS, CONFIG, DATABASES, CLIENTS, SERVERS) as dicts,
    in a new admin session or in ``conn``, one already open."""
    with nullcontext(conn) if conn else connect() as session:
        cur = session.execute(f"SHOW {what}")
        names = [c.name for c in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def config() -> dict[str, str]:
    """Every setting PgBouncer runs with now, by name."""
    return {row["key"]: row["value"] for row in show("CONFIG")}


def drift() -> dict[str, str]:
    """The settings of BASELINE that PgBouncer runs with otherwise now (a lab left them changed)."""
    now = config()
    return {key: now[key] for key, want in BASELINE.items() if now[key] != want}


def await_full_pool(database: str, size: int, conn: psycopg.Connection, timeout: float = 5.0) -> None:
    """Return once ``database``'s pool holds ``size`` logged-in server connections and none is
    logging in. PgBouncer counts a login that a RELOAD or RECONNECT cuts short as a failed one,
    and then refuses that pool's new clients until a login succeeds (``server_login_retry``);
    a pool already at its size, and kept there by ``min_pool_size``, starts no login."""
    def pools() -> list[dict]:
        return [row for row in show("POOLS", conn) if row["database"] == database]

    def full(rows: list[dict]) -> bool:
        return not any(row["sv_login"] for row in rows) and \
            sum(row["sv_active"] + row["sv_idle"] + row["sv_used"] for row in rows) >= size

    poll.until(lambda: full(pools()), timeout,
               f"PgBouncer's pool for {database} to reach {size} logged-in server connections",
               interval=0.005, hint=lambda: f"SHOW POOLS now: {pools()}")


def reset() -> None:
    """Re-read pgbouncer.ini (every setting a SET changed is back to the file's value) and replace
    every server connection as soon as it is released (``RECONNECT``): in transaction pooling
    the session state a client left on one (a SET, a lock, a temporary table) outlives it."""
    with connect() as conn:
        conn.execute("RELOAD")
        conn.execute("RECONNECT")


@contextmanager
def settings(**values: object) -> Iterator[dict[str, str]]:
    """PgBouncer runs with ``values`` (``default_pool_size=2``) for the block; the configuration
    file's values again when it ends, however it ends, and fresh server connections (``reset``).
    Yields the settings in force."""
    unknown = set(values) - set(BASELINE)
    if unknown:
        raise ValueError(f"labs change only {', '.join(BASELINE)} (got {', '.join(sorted(unknown))}); "
                         "add a setting to admin.BASELINE before a lab changes it")
    try:
        with connect() as conn:
            for key, value in values.items():
                conn.execute(f"SET {key} = '{value}'")
        now = config()
        yield {key: now[key] for key in values}
    finally:
        reset()
