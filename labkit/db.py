"""SQLAlchemy engines for the course's database endpoints, as an application would open them.

PostgreSQL endpoints use psycopg 3 and verify TLS against the local CA (as an Aurora client
verifies against the AWS root certificates); MySQL endpoints use PyMySQL. Verification is the
default wherever a CA is known: ``LABKIT_PG_SSLROOTCERT`` and ``LABKIT_MYSQL_SSL_CA`` name it for
other servers (``LABKIT_PG_SSLMODE`` overrides the mode); where none is known, the first engine
says plainly what is not verified. An engine for a server labkit did not
start logs in once at once, so a wrong login names its variable before any lab code runs.
"""
from __future__ import annotations

import functools
import os
import socket
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine

from labkit import credentials, external, logins, tls
from labkit.endpoints import ENDPOINTS, endpoint

_TOLD: set[str] = set()  # endpoints whose unverified TLS was already told, once per process


def _ca_file(variable: str) -> str | None:
    """The CA bundle the environment names, checked: a wrong path is told before a driver's error."""
    path = os.environ.get(variable, "").strip()
    if path and not os.path.isfile(path):
        raise FileNotFoundError(f"{variable}={path!r} is not a file: download the CA bundle (for RDS and Aurora, "
                                f"https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem) and point "
                                f"{variable} at it, or unset it")
    return path or None


def _pg_tls(name: str, outside: bool = False) -> dict:
    """TLS settings for endpoint ``name``: verified (``verify-full``) wherever a CA is known, the
    course's CA for its own servers, LABKIT_PG_SSLROOTCERT for any other. On another host with no
    CA known, TLS is required but the server is not verified (``unverified`` says so); a server of
    someone else's on this machine (``outside``) gets TLS if it offers it, as its traffic never
    leaves the machine."""
    if name == "pg-proxy":  # PgBouncer speaks plain TCP to clients here; it uses TLS to the cluster
        return {"sslmode": os.environ.get("LABKIT_PG_SSLMODE", "prefer")}
    given = _ca_file("LABKIT_PG_SSLROOTCERT")
    local = ENDPOINTS[name].is_local()
    default = "verify-full" if given or (local and not outside) else "prefer" if local else "require"
    mode = os.environ.get("LABKIT_PG_SSLMODE") or default
    ca = given or str(tls.files()["ca"])
    return {"sslmode": mode, "sslrootcert": ca} if mode.startswith("verify") else {"sslmode": mode}


def _mysql_tls() -> dict:
    """PyMySQL's TLS arguments: the CA, the certificate and the host name verified, when
    LABKIT_MYSQL_SSL_CA names a CA; none otherwise (the course's MariaDB offers no TLS)."""
    ca = _ca_file("LABKIT_MYSQL_SSL_CA")
    return {"ssl_ca": ca, "ssl_verify_cert": True, "ssl_verify_identity": True} if ca else {}


def unverified(name: str, connect_args: dict) -> str | None:
    """What a connection to endpoint ``name`` on another host would not check, or None."""
    if ENDPOINTS[name].is_local():
        return None
    where = "{} at {}:{}".format(name, *ENDPOINTS[name].address)
    if name.startswith("mysql-") and "ssl_ca" not in connect_args:
        return (f"{where}: no TLS (no CA known); set LABKIT_MYSQL_SSL_CA to the server's CA bundle "
                f"to encrypt and verify the connection")
    if name.startswith("pg-") and not connect_args.get("sslmode", "").startswith("verify"):
        return (f"{where}: sslmode={connect_args.get('sslmode')} does not verify the server (no CA known); "
                f"set LABKIT_PG_SSLROOTCERT to the server's CA bundle to verify it")
    return None


def _login(name: str) -> credentials.Login:
    if name.startswith("pg-"):
        return credentials.pg()
    if name.startswith("mysql-"):
        return credentials.mysql()
    raise ValueError(f"{name} is not a database endpoint; use one of "
                     f"{', '.join(n for n in ENDPOINTS if n.startswith(('pg-', 'mysql-')))}")


def url(name: str) -> URL:
    login = _login(name)
    host, port = endpoint(name).address
    driver = "postgresql+psycopg" if name.startswith("pg-") else "mysql+pymysql"
    return URL.create(driver, login.user, login.password, host, port, login.database)


@dataclass(frozen=True)
class Target:
    """What an application's configuration holds for one database endpoint: where, as whom, and
    the CA file that proves the server (None where none is known; ``sslmode``, for PostgreSQL,
    then says how much TLS to ask for), so a lab can open its connections with its own code."""
    name: str
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    database: str
    sslmode: str | None
    ca_file: str | None


def target(name: str) -> Target:
    """The settings of endpoint ``name`` (``pg-writer``, ``mysql-reader``, ...). Fails at once,
    with the command to run, if nothing answers there; on a server labkit did not start, logs in
    once, so a wrong login names its variable before the page's own code connects."""
    login = _login(name)
    outside = external.is_external(name)
    if outside:
        engine(name, poolclass=sa.pool.NullPool).dispose()
    ep = endpoint(name)
    ep.check()
    host, port = ep.address
    if name.startswith("pg-"):
        tls = _pg_tls(name, outside)
        _tell_unverified(name, tls)
        return Target(name, host, port, login.user, login.password, login.database, tls["sslmode"],
                      tls.get("sslrootcert"))
    tls = _mysql_tls()
    _tell_unverified(name, tls)
    return Target(name, host, port, login.user, login.password, login.database, None, tls.get("ssl_ca"))


def _tell_unverified(name: str, connect_args: dict) -> None:
    """Say once per endpoint and process what a connection to it does not check."""
    warning = unverified(name, connect_args)
    if warning and name not in _TOLD:
        _TOLD.add(name)
        print(f"Not verified: {warning}.")


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
    _tell_unverified(name, connect_args)
    made = sa.create_engine(url(name), connect_args=connect_args, **kwargs)
    if outside:
        logins.check_database(name, made, login.user, login.database)
    return made


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


@dataclass(frozen=True)
class Server:
    """The server that answered on a connection."""
    engine: str     # "postgresql" or "mysql"
    version: str
    node: str       # its endpoint name (pg-node1, mysql-reader...), else host:port
    read_only: bool


def identify(conn: Connection) -> Server:
    """Which server answered on this connection: engine, version, node name, read-only or not."""
    if conn.dialect.name == "postgresql":
        port, read_only, version, addr = conn.execute(sa.text(
            "SELECT inet_server_port(), pg_is_in_recovery(), current_setting('server_version'),"
            " host(inet_server_addr())")).one()
        return Server("postgresql", f"PostgreSQL {version}", node_at(port, "pg-node", addr) or f"{addr}:{port}",
                      bool(read_only))
    port, read_only, version, host = conn.execute(sa.text(
        "SELECT @@port, @@read_only, @@version, @@hostname")).one()
    return Server("mysql", version, node_at(port, "mysql-") or f"{host}:{port}", bool(read_only))
