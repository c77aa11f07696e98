"""A TCP relay that keeps a copy of every byte it forwards: what anyone on the network path sees.

On AWS the path between an application and its database crosses switches and hosts the
application's owner does not control; here the relay stands in for that path, between the
client and the server on one machine.
"""
from __future__ import annotations

import re
import threading

from labkit.relay import Relay, close_all

RELAY = "wire-relay"
__all__ = ["RELAY", "WireTap", "close_all", "readable"]


class WireTap(Relay):
    """Listens on the ``wire-relay`` endpoint and forwards each connection to ``target``
    (host, port), recording the bytes sent each way. Use as a context manager."""

    def __init__(self, target: tuple[str, int]):
        self.to_server, self.to_client = bytearray(), bytearray()
        self._record_lock = threading.Lock()
        super().__init__(RELAY, target)

    def seen(self, to_server: bool, data: bytes) -> None:
        with self._record_lock:
            (self.to_server if to_server else self.to_client).extend(data)

    def clear(self) -> None:
        with self._record_lock:
            self.to_server.clear()
            self.to_client.clear()


def readable(data: bytes, shortest: int = 6) -> list[str]:
    """The runs of at least ``shortest`` printable ASCII characters in ``data``, as `strings` prints
    them: what a person reading a capture recognises."""
    return [m.decode() for m in re.findall(rb"[ -~]{%d,}" % shortest, bytes(data))]
