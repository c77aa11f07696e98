"""Fixtures for the unit tests: a private state folder, so nothing touches the real local cloud; the
in-memory cache, catalogue and connection of the cache labs; a port nothing listens on; a port
where a stand-in answers the first words of a protocol. Servers that answer on this machine
(another checkout's cloud, docker compose) are not external here unless a test asks (``probes``)."""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
from pathlib import Path

import pytest
from cache_fakes import Conn, FakeRedis, VersionCatalog

from labkit import external
from labkit.endpoints import ENDPOINTS

DECIDES = external.decides


@pytest.fixture(autouse=True)
def only_other_hosts_are_external(monkeypatch):
    """A unit test's outcome must not depend on which servers happen to run on this machine."""
    monkeypatch.setattr(external, "decides", lambda anchor: not ENDPOINTS[anchor].is_local())


@pytest.fixture
def probes(monkeypatch):
    """Local ports are probed for a server of the expected kind, as in a real run."""
    monkeypatch.setattr(external, "decides", DECIDES)


@pytest.fixture
def state_home(monkeypatch) -> Path:
    """A throwaway LABKIT_HOME the daemon account can reach (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="labkit-test-", dir="/var/tmp"))
    os.chmod(folder, 0o755)
    monkeypatch.setenv("LABKIT_HOME", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def parts():
    """An empty in-memory cache, a ten-product catalogue and a connection: (cache, catalog, conn)."""
    return FakeRedis(), VersionCatalog(), Conn()


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on: a connection to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # free again once the socket closes: nothing listens there


@pytest.fixture
def fake_server():
    """Start a stand-in server on a free local port and return the port: it sends ``greeting`` to
    each client that connects and ``reply`` to the first bytes the client sends."""
    listeners = []

    def serve(sock: socket.socket, greeting: bytes, reply: bytes) -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return  # the fixture closed the socket: the test is over
            with conn:
                conn.sendall(greeting)
                if conn.recv(64) and reply:
                    conn.sendall(reply)

    def start(reply: bytes = b"", greeting: bytes = b"") -> int:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        listeners.append(sock)
        threading.Thread(target=serve, args=(sock, greeting, reply), daemon=True).start()
        return sock.getsockname()[1]

    yield start
    for sock in listeners:
        sock.close()
