"""SQLAlchemy engines for the course's database endpoints, as an application would open them.

PostgreSQL endpoints use psycopg 3 and verify TLS against the local CA (as an Aurora client
verifies against the AWS root certificates); MySQL endpoints use PyMySQL. ``LABKIT_PG_SSLMODE``
and ``LABKIT_PG_SSLROOTCERT`` change the TLS checks when the labs point elsewhere, and
``LABKIT_MYSQL_SSL_CA`` turns on verified TLS to MySQL. An engine for a server labkit did not
start logs in once at once, so a wrong login names its variable before any lab code runs.
"""
from __future__ import annotations

import functools
import os
import socket

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine

from labkit import credentials, external, logins, tls
from labkit.endpoints import ENDPOINTS, endpoint


def _pg_tls(name: str, outside: bool = False) -> dict:
    """TLS settings for endpoint ``name``: verified against the course's CA locally, required on
    another host; a server of someone else's on this machine (``outside``) gets TLS if it offers it,
    as its traffic never leaves the machine."""
    if name == "pg-proxy":  # PgBouncer speaks plain TCP to clients here; it uses TLS to the cluster
        return {"sslmode": os.environ.get("LABKIT_PG_SSLMODE", "prefer")}
    ca = os.environ.get("LABKIT_PG_SSLROOTCERT") or str(tls.files()["ca"])
    default = "require" if not ENDPOINTS[name].is_local() else "prefer" if outside else "verify-full"
    mode = os.environ.get("LABKIT_PG_SSLMODE") or default
    return {"sslmode": mode, "sslrootcert": ca} if mode.startswith("verify") else {"sslmode": mode}


def url(name: str) -> URL:
    ep = endpoint(name)
    host, port = ep.address
    if name.startswith("pg-"):
        login = credentials.pg()
        return URL.create("postgresql+psycopg", login.user, login.password, host, port, login.database)
    if name.startswith("mysql-"):
        login = credentials.mysql()
        return URL.create("mysql+pymysql", login.user, login.password, host, port, login.database)
    raise ValueError(f"{name} is not a database endpoint; use one of "
                     f"{', '.join(n for n in ENDPOINTS if n.startswith(('pg-', 'mysql-')))}")


def engine(name: str, **kwargs) -> Engine:
    """An Engine for endpoint ``name`` (``pg-writer``, ``pg-reader``, ``pg-proxy``, ``pg-node1``,
    ``mysql-writer``, ...). Fails at once, with the command to run, if nothing answers there."""
    ep = endpoint(name)
    ep.check()
    outside = external.is_external(name)
    if name.startswith("pg-"):
        connect_args = {"connect_timeout": 3, **_pg_tls(name, outside)}
        if name == "pg-proxy":
            connect_args["prepare_threshold"] = None  # transaction pooling: no server-side prepares
        login = credentials.pg()
    else:
        connect_args = {"connect_timeout": 3, **_mysql_tls()}
        login = credentials.mysql()
    made = sa.create_engine(url(name), connect_args=connect_args, **kwargs)
    if outside:
        logins.check_database(name, made, login.user, login.database)
    return made


def _mysql_tls() -> dict:
    ca = os.environ.get("LABKIT_MYSQL_SSL_CA")
    return {"ssl": {"ca": ca}} if ca else {}


@functools.lru_cache(maxsize=64)
def _addresses(host: str) -> frozenset[str]:
    try:
        return frozenset(info[4][0] for info in socket.getaddrinfo(host, None))
    except OSError:
        return frozenset()


def node_at(port: int, prefix: str, address: str | None = None) -> str | None:
    """The endpoint among those named ``prefix...`` where the server that answered listens: the
    one on its port, or, where several share the port (every Aurora instance listens on 5432),
    the one whose host name resolves to the server's ``address``. None when none is, or several."""
    named = [e for e in ENDPOINTS.values() if e.name.startswith(prefix) and e.bound_port == port]
    if len(named) > 1 and address:
        named = [e for e in named if address in _addresses(e.host)]
    return named[0].name if len(named) == 1 else None


def identify(conn: Connection) -> dict:
    """Which server answered on this connection: engine, version, node name, read-only or not."""
    if conn.dialect.name == "postgresql":
        port, read_only, version, addr = conn.execute(sa.text(
            "SELECT inet_server_port(), pg_is_in_recovery(), current_setting('server_version'),"
            " host(inet_server_addr())")).one()
        return {"engine": "postgresql", "version": f"PostgreSQL {version}",
                "node": node_at(port, "pg-node", addr) or f"{addr}:{port}", "read_only": bool(read_only)}
    port, read_only, version, host = conn.execute(sa.text(
        "SELECT @@port, @@read_only, @@version, @@hostname")).one()
    return {"engine": "mysql", "version": version, "node": node_at(port, "mysql-") or f"{host}:{port}",
            "read_only": bool(read_only)}
