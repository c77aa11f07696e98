import os
import socket

import pytest

from labkit.endpoints import Endpoint
from labkit.ports import PortTaken, ensure_free, is_free


def test_a_taken_port_names_its_holder_and_the_variable(monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        monkeypatch.setenv("LABKIT_MEMCACHED2", f"127.0.0.1:{port}")
        ep = Endpoint("memcached2", "ElastiCache for Memcached node 2", 11312)
        assert not is_free("127.0.0.1", port)
        with pytest.raises(PortTaken) as err:
            ensure_free(ep)
    message = str(err.value)
    assert f"port {port} for memcached2" in message
    assert f"pid {os.getpid()}" in message
    assert "LABKIT_MEMCACHED2=127.0.0.1:OTHER_PORT" in message
    assert is_free("127.0.0.1", port)
