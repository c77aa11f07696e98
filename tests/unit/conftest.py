"""Fixtures for the unit tests: a private state folder, so nothing touches the real local cloud; the
in-memory cache, catalogue and connection of the cache labs; a port nothing listens on."""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
from pathlib import Path

import pytest
from cache_fakes import Conn, FakeRedis, VersionCatalog


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
