"""Which kind of server answers at an address, told from the first bytes of its protocol.

A port that answers is not enough to tell a reader's own PostgreSQL from a stranger holding the
port: labkit leaves alone a server of the kind an endpoint expects (it is *external*), and names
any other holder as in the way. Each probe is what a client of that protocol sends first, so it
logs in nowhere and changes nothing: PostgreSQL's SSLRequest, MySQL's greeting (the server
speaks first), Redis's PING, memcached's ``version``.
"""
from __future__ import annotations

import socket
import struct

POSTGRESQL, MYSQL, REDIS, MEMCACHED = "PostgreSQL", "MySQL", "Redis", "memcached"
_SSL_REQUEST = struct.pack("!ii", 8, 80877103)


def expected(name: str) -> str | None:
    """The kind of server endpoint ``name`` leads to; None for labkit's own plumbing."""
    for prefix, kind in (("pg-", POSTGRESQL), ("mysql-", MYSQL), ("redis-", REDIS), ("memorydb-", REDIS),
                         ("memcached", MEMCACHED)):
        if name.startswith(prefix):
            return kind
    return None


def _postgresql(sock: socket.socket) -> bool:
    sock.sendall(_SSL_REQUEST)
    return sock.recv(64) in (b"S", b"N")  # a MySQL greeting that races the request is longer


def _mysql(sock: socket.socket) -> bool:
    greeting = sock.recv(64)  # 3-byte length, sequence 0, then protocol 10 or an error packet
    return len(greeting) > 4 and greeting[3] == 0 and greeting[4] in (0x0A, 0xFF)


def _redis(sock: socket.socket) -> bool:
    sock.sendall(b"PING\r\n")
    return sock.recv(64).startswith((b"+PONG", b"-NOAUTH", b"-DENIED"))  # asks for a login: still Redis


def _memcached(sock: socket.socket) -> bool:
    sock.sendall(b"version\r\n")
    return sock.recv(64).startswith(b"VERSION ")


PROBES = {POSTGRESQL: _postgresql, MYSQL: _mysql, REDIS: _redis, MEMCACHED: _memcached}


def answers(address: tuple[str, int], kind: str, timeout: float = 0.5) -> bool:
    """Whether a server of ``kind`` answers at ``address`` now."""
    try:
        with socket.create_connection(address, timeout=timeout) as sock:
            return PROBES[kind](sock)
    except OSError:
        return False


def which(address: tuple[str, int]) -> str | None:
    """The kind of server that answers at ``address``, for a message; None when none of these.
    MySQL goes first: its server speaks before the client and would confuse the other probes."""
    return next((kind for kind in (MYSQL, POSTGRESQL, REDIS, MEMCACHED) if answers(address, kind)), None)
