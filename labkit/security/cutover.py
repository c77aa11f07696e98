"""An application that keeps writing while its database is moved, and what the move cost it.

``App`` calls the page's ``write(conn, i)`` in a thread, as fast as it can, on a connection from
the page's ``connect(target)``, and remembers every write that returned (acknowledged) with the
server it went to. A write that raises is not acknowledged: the app reconnects to its current
target and tries the next one. ``switch`` points it at another server, as an endpoint moved to a
new cluster. Afterwards ``outage`` says how long no write was acknowledged around a moment, and
``lost`` which acknowledged writes a server does not hold.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

RETRY_S = 0.01  # pause after a failed write before the app reconnects


@dataclass(frozen=True)
class Ack:
    id: int
    target: str
    at: float  # time.monotonic() when the write returned


@dataclass
class App:
    write: Callable[[object, int], object]
    connect: Callable[[str], object]
    target: str
    acks: list[Ack] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "App":
        self._thread.start()
        return self

    def switch(self, target: str) -> None:
        """Send the following writes to ``target`` (the next connection goes there)."""
        self.target = target

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        i, conn, conn_target = 0, None, None
        while not self._stop.is_set():
            try:
                if conn is None or conn_target != self.target:
                    conn_target = self.target
                    conn = self.connect(conn_target)
                self.write(conn, i)
                self.acks.append(Ack(i, conn_target, time.monotonic()))
            except Exception as exc:  # every failure is counted: the write is not acknowledged
                name = type(exc).__name__
                self.errors[name] = self.errors.get(name, 0) + 1
                conn = None
                time.sleep(RETRY_S)
            i += 1

    def acknowledged(self, target: str | None = None) -> list[int]:
        """Ids of the acknowledged writes (to ``target`` only, if given)."""
        return [a.id for a in self.acks if target is None or a.target == target]

    def outage(self, since: float) -> float:
        """Seconds from ``since`` until the first write acknowledged after it by a server other
        than the one that acknowledged the last write before it."""
        before = [a for a in self.acks if a.at <= since]
        old = before[-1].target if before else None
        after = next((a for a in self.acks if a.at > since and a.target != old), None)
        if after is None:
            raise RuntimeError(f"no write was acknowledged by a new server after the cutover; errors: {self.errors}")
        return after.at - since


def lost(acknowledged: Iterable[int], present: Iterable[int]) -> list[int]:
    """The acknowledged ids a server does not hold."""
    return sorted(set(acknowledged) - set(present))
