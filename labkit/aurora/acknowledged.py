"""An application that writes without pause and remembers which writes were acknowledged.

What a failover loses is counted against this list: a write whose commit returned to the
application is one it may have told a customer about, so it must still be there afterwards.
The write itself is the page's function, ``write(conn, n)``, called with n = 1, 2, 3, ...
"""
from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy.engine import Connection, Engine


class AcknowledgedWrites:
    """Runs ``write(conn, n)`` in a thread on one connection to ``engine`` until the ``with``
    block ends; ``acknowledged`` holds every n whose call returned."""

    def __init__(self, engine: Engine, write: Callable[[Connection, int], None]):
        self.engine, self.write = engine, write
        self.acknowledged: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._error: BaseException | None = None

    def _run(self) -> None:
        n = 0
        try:
            with self.engine.connect() as conn:
                while not self._stop.is_set():
                    n += 1
                    self.write(conn, n)
                    self.acknowledged.append(n)
        except Exception as exc:  # raised again by __exit__, so a broken write cannot pass unnoticed
            self._error = exc

    def __enter__(self) -> AcknowledgedWrites:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        if self._error is not None:
            raise RuntimeError(f"the application's write failed: {self._error!r}") from self._error
