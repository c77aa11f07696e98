"""An application that writes without pause and remembers which writes were acknowledged.

What a failover loses is counted against this list: a write whose commit returned to the
application is one it may have told a customer about, so it must still be there afterwards.
The write itself is the page's function, ``write(conn, n)``, called with n = 1, 2, 3, ...
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Connection, Engine

from labkit.workers import Workers


class AcknowledgedWrites(Workers):
    """Runs ``write(conn, n)`` in one thread on one connection to ``engine`` until the ``with``
    block ends; ``acknowledged`` holds every n whose call returned."""
    role = "writer"

    def __init__(self, engine: Engine, write: Callable[[Connection, int], None]):
        super().__init__(threads=1)
        self.engine, self.write = engine, write
        self.acknowledged: list[int] = []

    def work(self, worker: int) -> None:
        with self.engine.connect() as conn:
            while not self.stopping.is_set():
                n = len(self.acknowledged) + 1
                self.write(conn, n)
                self.acknowledged.append(n)
