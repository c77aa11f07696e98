"""The relay that stands for a network path: it forwards, holds bytes for its delay, and fails."""
import socket
import threading
import time

import pytest

from labkit.relay import Relay, close_all


def _echo_server() -> tuple[tuple[str, int], list[bytes]]:
    server = socket.create_server(("127.0.0.1", 0))
    received: list[bytes] = []

    def serve():
        conn, _ = server.accept()
        with conn:
            while data := conn.recv(1024):
                received.append(data)
                conn.sendall(data.upper())
    threading.Thread(target=serve, daemon=True).start()
    return server.getsockname()[:2], received


@pytest.fixture
def relay_port(monkeypatch, closed_port):
    monkeypatch.setenv("LABKIT_REGION_RELAY", f"127.0.0.1:{closed_port}")
    yield
    close_all()


def test_a_relay_forwards_both_ways_no_sooner_than_its_delay(relay_port):
    target, _ = _echo_server()
    with Relay("region-relay", target, delay=0.05) as relay:
        with socket.create_connection(relay.address, timeout=5) as client:
            sent = time.monotonic()
            client.sendall(b"wal")
            assert client.recv(1024) == b"WAL"
            assert time.monotonic() - sent >= 0.1  # held once each way


def test_bytes_held_when_the_path_is_cut_never_arrive(relay_port):
    target, received = _echo_server()
    relay = Relay("region-relay", target, delay=0.3)
    client = socket.create_connection(relay.address, timeout=5)
    client.sendall(b"in flight")
    time.sleep(0.05)  # the relay has the bytes, their delay has not passed
    relay.cut()
    time.sleep(0.5)
    assert received == []
    assert client.recv(1024) == b""  # the client sees the connection end
    client.close()


def test_a_cut_relay_frees_its_port_at_once(relay_port):
    relay = Relay("region-relay", ("127.0.0.1", 9))
    relay.cut()
    socket.create_server(relay.address).close()  # would raise "Address already in use"


def test_a_negative_delay_is_refused(relay_port):
    with pytest.raises(ValueError, match="delay"):
        Relay("region-relay", ("127.0.0.1", 9), delay=-0.01)
