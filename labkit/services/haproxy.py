"""HAProxy: the endpoints that follow the writer (Aurora's cluster endpoint) and spread reads.

Aurora's endpoints are DNS names that AWS repoints; here HAProxy asks each node's Patroni REST API
(``GET /primary``, ``GET /replica``) every 200 ms and Redis for ``role:master``, and routes to
whichever answers yes. Dropping sessions to a server marked down makes clients reconnect at once.
"""
from __future__ import annotations

import subprocess

from labkit import accounts, binaries
from labkit.endpoints import ENDPOINTS, PG_EXTRA_NODE
from labkit.services.base import Daemon, accepts
from labkit.services.redis import NODES as REDIS_NODES

GLOBAL = """\
global
    maxconn 4000

defaults
    mode tcp
    timeout connect 1s
    # A connection attempt that meets a dead node is retried on another eligible server at once.
    retries 2
    option redispatch
    timeout check 500ms
    timeout client 1h
    timeout server 1h
    default-server inter 200ms fall 2 rise 1 on-marked-down shutdown-sessions
"""


def _pg_listener(endpoint: str, check_uri: str, balance: str) -> str:
    servers = "\n".join(
        f"    server pg-node{i} {ENDPOINTS[f'pg-node{i}'].host}:{ENDPOINTS[f'pg-node{i}'].bound_port} "
        f"check port {ENDPOINTS[f'patroni{i}'].bound_port}"
        for i in range(1, PG_EXTRA_NODE + 1)  # the extra node is checked too: down until a lab adds it
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
    return f"""
listen redis-primary
    bind 127.0.0.1:{ENDPOINTS['redis-primary'].bound_port}
    option tcp-check
    tcp-check connect
    tcp-check send PING\\r\\n
    tcp-check expect string +PONG
    tcp-check send info\\ replication\\r\\n
    tcp-check expect string role:master
    tcp-check send QUIT\\r\\n
    tcp-check expect string +OK
{servers}
"""


def config_text() -> str:
    return (GLOBAL + _pg_listener("pg-writer", "/primary", "first")
            + _pg_listener("pg-reader", "/replica", "roundrobin") + _redis_listener())


class HAProxy(Daemon):
    def prepare(self) -> None:
        conf = accounts.write(self.folder / "haproxy.cfg", config_text())
        check = subprocess.run([binaries.find("haproxy"), "-c", "-q", "-f", str(conf)],
                               capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"HAProxy rejects {conf}:\n{check.stdout}{check.stderr}")

    def argv(self) -> list[str]:
        return [binaries.find("haproxy"), "-db", "-f", str(self.folder / "haproxy.cfg")]

    def ready(self) -> bool:
        return accepts("pg-writer")


DAEMONS = [HAProxy("haproxy", binds=("pg-writer", "pg-reader", "redis-primary"))]
