"""A TCP relay that keeps a copy of every byte it forwards: what anyone on the network path sees.

On AWS the path between an application and its database crosses switches and hosts the
application's owner does not control; here the relay stands in for that path, between the
client and the server on one machine.
"""
from __future__ import annotations

import re
import socket
import threading

from labkit.endpoints import ENDPOINTS

RELAY = "wire-relay"
_OPEN: set[WireTap] = set()  # relays of this process that listen


class WireTap:
    """Listens on the ``wire-relay`` endpoint and forwards each connection to ``target``
    (host, port), recording the bytes sent each way. Use as a context manager."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.to_server, self.to_client = bytearray(), bytearray()
        self._lock = threading.Lock()
        self._listener = socket.create_server(ENDPOINTS[RELAY].address)
        self.address = self._listener.getsockname()[:2]
        _OPEN.add(self)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # closed
                return
            server = socket.create_connection(self.target, timeout=5)
            server.settimeout(None)
            threading.Thread(target=self._pump, args=(client, server, self.to_server), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, self.to_client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, record: bytearray) -> None:
        try:
            while data := source.recv(65536):
                with self._lock:
                    record.extend(data)
                sink.sendall(data)
        except OSError:
            return  # the other direction closed both sockets: nothing left to forward
        finally:
            for s in (source, sink):
                s.close()

    def clear(self) -> None:
        with self._lock:
            self.to_server.clear()
            self.to_client.clear()

    def close(self) -> None:
        # shutdown first: on Linux close() alone leaves the port listening while accept() blocks on it
        self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        _OPEN.discard(self)

    def __enter__(self) -> WireTap:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def close_all() -> None:
    """Stop every relay of this process (one left listening by an interrupted cell)."""
    for tap in list(_OPEN):
        tap.close()


def readable(data: bytes, shortest: int = 6) -> list[str]:
    """The runs of at least ``shortest`` printable ASCII characters in ``data``, as `strings` prints
    them: what a person reading a capture recognises."""
    return [m.decode() for m in re.findall(rb"[ -~]{%d,}" % shortest, bytes(data))]
