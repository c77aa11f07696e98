"""A TCP relay on one of the course's endpoints: the network path between two servers, made visible.

Labs put it where a real network would be: between a client and its database (to look at the
bytes on the wire) or between two "Regions" (to add distance). Each byte can be held for a
one-way ``delay`` before it is passed on, in both directions, in order: the kernel here has no
``tc netem``, so the delay is added in user space. ``cut()`` is a network failure: the listener
and every open connection close at once, and the bytes still held are never delivered.
"""
from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time

from labkit.endpoints import ENDPOINTS

_OPEN: set[Relay] = set()  # relays of this process that listen
_END = "end"  # queued after the last chunk of a direction


class Relay:
    """Listens on endpoint ``name`` and forwards each connection to ``target`` (host, port),
    ``delay`` seconds later in each direction. Use as a context manager."""

    def __init__(self, name: str, target: tuple[str, int], delay: float = 0.0):
        if delay < 0:
            raise ValueError(f"delay must be 0 or more seconds, not {delay}")
        self.name, self.target, self.delay = name, target, delay
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener = socket.create_server(ENDPOINTS[name].address)
        self.address = self._listener.getsockname()[:2]
        _OPEN.add(self)
        threading.Thread(target=self._accept, daemon=True).start()

    def seen(self, to_server: bool, data: bytes) -> None:
        """Called with every chunk as it arrives, before the delay; subclasses record it."""

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # closed
                return
            server = socket.create_connection(self.target, timeout=5)
            server.settimeout(None)
            with self._lock:
                self._sockets |= {client, server}
            for source, sink, to_server in ((client, server, True), (server, client, False)):
                held: queue.SimpleQueue = queue.SimpleQueue()
                threading.Thread(target=self._receive, args=(source, held, to_server), daemon=True).start()
                threading.Thread(target=self._deliver, args=(held, sink), daemon=True).start()

    def _receive(self, source: socket.socket, held: queue.SimpleQueue, to_server: bool) -> None:
        try:
            while data := source.recv(65536):
                self.seen(to_server, data)
                held.put((time.monotonic() + self.delay, data))
        except OSError as closed:  # by the other direction or by cut(): the deliverer ends too
            held.put(closed)
            return
        held.put(_END)

    def _deliver(self, held: queue.SimpleQueue, sink: socket.socket) -> None:
        while isinstance(item := held.get(), tuple):
            due, data = item
            time.sleep(max(0.0, due - time.monotonic()))
            try:
                sink.sendall(data)
            except OSError:  # the sink is gone: what is still held can never be delivered
                break
        self._drop(sink)

    def _drop(self, sock: socket.socket) -> None:
        """Close one socket of a connection: the thread reading it sees the end and closes the rest."""
        with self._lock:
            self._sockets.discard(sock)
        with contextlib.suppress(OSError):  # the peer may have closed it first
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def cut(self) -> None:
        """The path fails: stop listening, close every connection, drop the bytes still held."""
        _OPEN.discard(self)
        # shutdown first: on Linux close() alone leaves the port listening while accept() blocks on it
        with contextlib.suppress(OSError):  # shut already
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            self._drop(sock)

    close = cut

    def __enter__(self) -> Relay:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def close_all() -> None:
    """Stop every relay of this process (one left listening by an interrupted cell)."""
    for relay in list(_OPEN):
        relay.close()
