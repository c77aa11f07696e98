"""What clients cost the writer, as far as a client can tell: for servers labkit did not start,
whose processes it may not read.

An ``ActivityWatch`` holds one session of the lab's own login (opened before the block, so a
storm that fills every slot cannot lock it out) and samples ``pg_stat_activity`` every
``INTERVAL`` seconds: the sessions on the course's database other than its own. Any login sees
those rows (the query text of other roles is what it may not see). The sessions PostgreSQL
started come from ``pg_stat_database.sessions``, also readable by any login. CPU seconds and
backend memory are NaN: on AWS they come from CloudWatch and Performance Insights, not from a
client.
"""
from __future__ import annotations

import psycopg

from labkit.proxy.server import ServerUse
from labkit.workers import Workers

INTERVAL = 0.05  # seconds between two samples
NOT_MEASURED = float("nan")

OTHER_SESSIONS = ("SELECT count(*) FROM pg_stat_activity "
                  "WHERE datname = current_database() AND pid <> pg_backend_pid()")
SESSIONS_STARTED = "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"


class ActivityWatch(Workers):
    """``with ActivityWatch(conninfo) as watch:`` samples the database during the block; then
    read ``watch.use`` (a ``server.ServerUse`` whose process-level figures are NaN)."""
    role = "sampler"

    def __init__(self, conninfo: str):
        super().__init__(1)
        self.conninfo = conninfo
        self.peak = 0
        self._conn: psycopg.Connection | None = None
        self._sessions_at_start = 0

    def _read(self, query: str) -> int:
        return self._conn.execute(query).fetchone()[0]

    def work(self, worker: int) -> None:
        while not self.stopping.is_set():
            self.peak = max(self.peak, self._read(OTHER_SESSIONS))
            self.stopping.wait(INTERVAL)

    def __enter__(self):
        self._conn = psycopg.connect(self.conninfo, autocommit=True)
        self._sessions_at_start = self._read(SESSIONS_STARTED)
        return super().__enter__()

    def __exit__(self, *exc) -> None:
        try:
            super().__exit__(*exc)
            sessions = self._read(SESSIONS_STARTED) - self._sessions_at_start
        finally:
            self._conn.close()
        self.use = ServerUse(self.peak, NOT_MEASURED, NOT_MEASURED, sessions, NOT_MEASURED)
