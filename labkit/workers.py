"""Client threads that run until a block ends: what the labs' load generators share.

A subclass says what one thread does (``work(i)``, which returns when ``stopping`` is set); the
base starts the threads when the ``with`` block begins and stops them when it ends. A thread still
blocked in a call ``stop_timeout`` seconds after the stop is named in an error, and any exception
that escaped ``work`` (a bug: expected errors are the subclass's to count) is raised again, so a
broken thread cannot pass unnoticed.
"""
from __future__ import annotations

import threading
import time


class Workers:
    role = "worker"        # what the threads and the errors call one worker
    stop_timeout = 10.0    # seconds a worker blocked in a call gets to return after the stop
    stuck_hint = ""        # appended to the error that names blocked workers

    def __init__(self, threads: int):
        if threads < 1:
            raise ValueError(f"need at least one {self.role} (got {threads})")
        self.threads = threads
        self.failures: list[BaseException] = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.started = self.stopped = 0.0
        self._threads: list[threading.Thread] = []

    def work(self, worker: int) -> None:
        raise NotImplementedError

    def _guarded(self, worker: int) -> None:
        try:
            self.work(worker)
        except Exception as exc:  # raised again by __exit__
            self.failures.append(exc)

    def __enter__(self):
        self.started = time.monotonic()
        self._threads = [threading.Thread(target=self._guarded, args=(i,), daemon=True, name=f"{self.role}-{i}")
                         for i in range(self.threads)]
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        deadline = time.monotonic() + self.stop_timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self.stopped = time.monotonic()
        stuck = [t.name for t in self._threads if t.is_alive()]
        if stuck:
            raise RuntimeError(f"{', '.join(stuck)} still blocked {self.stop_timeout:.0f} s after the stop"
                               f"{self.stuck_hint}")
        if self.failures:
            raise RuntimeError(f"a {self.role} failed: {self.failures[0]!r}") from self.failures[0]
