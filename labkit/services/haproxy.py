"""HAProxy: the endpoints that follow the writer (Aurora's cluster endpoint) and spread reads.

Aurora's endpoints are DNS names that AWS repoints; here HAProxy asks each node's Patroni REST API
(``GET /primary``, ``GET /replica``) every 200 ms and Redis for ``role:master``, and routes to
whichever answers yes. Dropping sessions to a server marked down makes clients reconnect at once.

Its runtime API (``admin``) says which servers each endpoint routes to, and takes a node out of
an endpoint before it leaves on purpose, as AWS takes an instance out of the reader endpoint
before it deletes it.
"""
from __future__ import annotations

import csv
import socket
import subprocess

from labkit import accounts, binaries, external, procs
from labkit.endpoints import ENDPOINTS, PG_EXTRA_NODE
from labkit.services import redis_users
from labkit.services.base import Daemon, accepts
from labkit.services.redis import NODES as REDIS_NODES

PG_LISTENERS = ("pg-writer", "pg-reader")


def _global() -> str:
    return f"""\
global
    maxconn 4000
    stats socket ipv4@127.0.0.1:{ENDPOINTS['haproxy-admin'].bound_port} level admin

defaults
    mode tcp
    timeout connect 1s
    # A connection attempt that meets a dead node is retried on another eligible server at once.
    retries 2
    option redispatch
    # A slow answer from a busy agent is not a failed check: a dead node refuses at once anyway.
    timeout check 1s
    timeout client 1h
    timeout server 1h
    default-server inter 200ms fall 2 rise 1 on-marked-down shutdown-sessions
"""


def _pg_listener(endpoint: str, check_uri: str, balance: str) -> str:
    # A server is taken as up until its first checks fail: the extra node, when it is not running,
    # starts in maintenance instead, so the endpoints never send a connection where none listens.
    extra_off = "" if procs.running(f"pg-node{PG_EXTRA_NODE}") else " disabled"
    servers = "\n".join(
        f"    server pg-node{i} {ENDPOINTS[f'pg-node{i}'].host}:{ENDPOINTS[f'pg-node{i}'].bound_port} "
        f"check port {ENDPOINTS[f'patroni{i}'].bound_port}" + (extra_off if i == PG_EXTRA_NODE else "")
        for i in range(1, PG_EXTRA_NODE + 1)
    )
    return f"""
listen {endpoint}
    bind 127.0.0.1:{ENDPOINTS[endpoint].bound_port}
    balance {balance}
    option httpchk
    http-check send meth GET uri {check_uri}
    http-check expect status 200
{servers}
"""


def _redis_listener() -> str:
    servers = "\n".join(
        f"    server {n} {ENDPOINTS[n].host}:{ENDPOINTS[n].bound_port} check" for n in REDIS_NODES
    )
    login = redis_users.admin_login()  # the nodes refuse a client that does not log in
    return f"""
listen redis-primary
    bind 127.0.0.1:{ENDPOINTS['redis-primary'].bound_port}
    option tcp-check
    tcp-check connect
    tcp-check send AUTH\\ {login['username']}\\ {login['password']}\\r\\n
    tcp-check expect string +OK
    tcp-check send PING\\r\\n
    tcp-check expect string +PONG
    tcp-check send info\\ replication\\r\\n
    tcp-check expect string role:master
    tcp-check send QUIT\\r\\n
    tcp-check expect string +OK
{servers}
"""


def config_text(pg: bool = True, redis: bool = True) -> str:
    """The configuration, with the PostgreSQL endpoints and the Redis one as asked: an endpoint
    that leads to servers labkit did not start is theirs, not HAProxy's."""
    return (_global() + (_pg_listener("pg-writer", "/primary", "first")
                         + _pg_listener("pg-reader", "/replica", "roundrobin") if pg else "")
            + (_redis_listener() if redis else ""))


def admin(command: str) -> str:
    """Send one command to HAProxy's runtime API and return its answer."""
    ep = ENDPOINTS["haproxy-admin"]
    try:
        with socket.create_connection(ep.address, timeout=2) as conn:
            conn.sendall(command.encode() + b"\n")
            answer = b"".join(iter(lambda: conn.recv(65536), b""))
    except OSError as exc:
        raise ep.unavailable(exc.strerror or exc) from None
    return answer.decode()


def servers(listener: str) -> dict[str, str]:
    """HAProxy's state of each server behind ``listener``: "UP", "DOWN", "MAINT", "UP 1/2" (one
    check failed), ..."""
    return {row["svname"]: row["status"] for row in _stats(listener)}


def sessions(listener: str) -> dict[str, int]:
    """Connections open through ``listener`` to each of its servers."""
    return {row["svname"]: int(row["scur"] or 0) for row in _stats(listener)}


def _stats(*listeners: str) -> list[dict]:
    rows = csv.DictReader(admin("show stat").removeprefix("# ").splitlines())
    return [row for row in rows
            if row["pxname"] in listeners and row["svname"] not in ("FRONTEND", "BACKEND")]


def routed(*listeners: str) -> dict[str, set[str]]:
    """The servers each of ``listeners`` sends new connections to now (an "UP 1/2" server still
    gets them), all read from one snapshot of HAProxy's state."""
    rows = _stats(*listeners)
    return {listener: {row["svname"] for row in rows if row["pxname"] == listener and row["status"].startswith("UP")}
            for listener in listeners}


def drain(listener: str, server: str) -> None:
    """``listener`` sends ``server`` no new connection; the open ones go on."""
    _command(f"set server {listener}/{server} state drain")


def disable(listener: str, server: str) -> None:
    """Put ``server`` in maintenance: ``listener`` sends it no new connection and, as for a server
    marked down, closes the open ones (``on-marked-down shutdown-sessions``)."""
    _command(f"set server {listener}/{server} state maint")


def enable(listener: str, server: str) -> None:
    """Take ``server`` out of maintenance, as down until its next check passes: HAProxy would
    otherwise take it as up at once and send it connections before any check."""
    if servers(listener)[server].startswith(("MAINT", "DRAIN")):
        _command(f"set server {listener}/{server} state ready; set server {listener}/{server} health down")


def _command(command: str) -> None:
    answer = admin(command).strip()
    if answer:
        raise RuntimeError(f"HAProxy refused `{command}`: {answer}")


class HAProxy(Daemon):
    def prepare(self) -> None:
        conf = accounts.write(self.folder / "haproxy.cfg", config_text(
            pg=not external.is_external("pg-writer"), redis=not external.is_external("redis-primary")), 0o600)
        check = subprocess.run([binaries.find("haproxy"), "-c", "-q", "-f", str(conf)],
                               capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"HAProxy rejects {conf}:\n{check.stdout}{check.stderr}")

    def argv(self) -> list[str]:
        return [binaries.find("haproxy"), "-db", "-f", str(self.folder / "haproxy.cfg")]

    def ready(self) -> bool:
        return accepts("haproxy-admin")  # bound with the listeners, whichever of them it has


DAEMONS = [HAProxy("haproxy", binds=("pg-writer", "pg-reader", "redis-primary", "haproxy-admin"))]
