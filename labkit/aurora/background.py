"""A client loop that runs in a thread while a lab breaks servers, as a context manager.

Failover trials need clients writing all along (an outage probe, a retrying application);
each subclass says what one step is, this class runs the steps until the ``with`` block ends.
"""
from __future__ import annotations

import threading

from sqlalchemy.engine import Engine


class BackgroundLoop:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def step(self) -> float:
        """Do one unit of work; return the seconds to wait before the next one."""
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.is_set():
            self._stop.wait(self.step())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.engine.dispose()
