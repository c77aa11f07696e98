"""A Redis of the security labs' own, on the ``secure-redis`` endpoint: TLS only (no plain port),
as ElastiCache with in-transit encryption, and a bootstrap login the lab replaces with users.

It starts with one login, the ``default`` user with a generated password, as a new ElastiCache
cluster starts with its default user; the lab then creates users with ``ACL SETUSER`` and switches
the default user off. The shared Redis of the ElastiCache labs is not touched.
"""
from __future__ import annotations

import secrets
import shutil
from pathlib import Path

import redis

from labkit import accounts, binaries, paths, procs
from labkit.endpoints import ENDPOINTS
from labkit.security import own_servers
from labkit.security.certs import Issued

NAME = "secure-redis"


def folder() -> Path:
    return paths.sub(NAME)


def config(cert: Issued, ca: Path, bootstrap_password: str) -> str:
    """redis.conf: TLS on the endpoint's port, the plain port off, nothing saved to disk."""
    lines = ["bind 127.0.0.1", "port 0", f"tls-port {ENDPOINTS[NAME].bound_port}",
             f'tls-cert-file "{cert.cert}"', f'tls-key-file "{cert.key}"', f'tls-ca-cert-file "{ca}"',
             "tls-auth-clients no",  # clients prove who they are with a user and password, not a certificate
             f'dir "{folder()}"', 'logfile ""', 'save ""', "appendonly no",
             f"user default on >{bootstrap_password} ~* &* +@all"]
    return "\n".join(lines) + "\n"


def start(cert: Issued, ca: Path, timeout: float = 15.0) -> str:
    """Start the server empty; return the default user's generated password."""
    own_servers.announce()
    stop()
    password = secrets.token_urlsafe(18)
    accounts.write(folder() / "redis.conf", config(cert, ca, password), 0o600)
    procs.spawn(NAME, [binaries.find("redis-server"), str(folder() / "redis.conf")], cwd=folder())
    with redis.Redis(*ENDPOINTS[NAME].address, ssl=True, ssl_ca_certs=str(ca), password=password,
                     socket_timeout=1) as client:
        procs.wait_answering(NAME, client.ping, timeout, retry_on=(redis.ConnectionError,))
    return password


def stop() -> None:
    procs.stop(NAME)
    if folder().exists():
        shutil.rmtree(folder())
