"""What clients cost the writer's PostgreSQL, read from its processes (``/proc``, via psutil).

A ``Watch`` samples the writer's postmaster every ``interval`` seconds while a block runs: how many
backends serve clients (one process each), and the private memory (USS) of a few of
them. It also takes the CPU seconds the postmaster and every child used during the block,
including children that exited (the postmaster reaps them, so the kernel adds them to its
``children_*`` times), the CPU seconds of PgBouncer, and how many sessions PostgreSQL started.
Samples need no database connection, so they take no slot from the clients; but in a storm the
sampler shares the CPU with every backend, so it may miss a short peak: the peak it reports is a
lower bound, while the sessions started are PostgreSQL's own count.
"""
from __future__ import annotations

import statistics
from pathlib import Path
from dataclasses import dataclass

import psutil

from labkit import cluster, credentials, procs
from labkit.services import BY_NAME
from labkit.services.patroni import writer_session
from labkit.workers import Workers

INTERVAL = 0.05      # seconds between two samples
MEMORY_SAMPLE = 4    # backends whose private memory one sample reads (reading it costs a few ms each)
MEMORY_SAMPLES = 40  # private memory readings a watch takes in all


@dataclass(frozen=True)
class ServerUse:
    peak_backends: int        # most client backends seen at once (sampled: at least this many)
    backend_uss: float        # median private memory of one such backend, bytes (NaN if none was read)
    server_cpu_s: float       # CPU seconds the writer's PostgreSQL used in the block
    sessions: int             # server sessions (backends) started in the block, as PostgreSQL counts them
    proxy_cpu_s: float        # CPU seconds PgBouncer used in the block

    @property
    def peak_backend_bytes(self) -> float:
        """Memory the peak backends held beyond what they share: peak x median private memory."""
        return self.peak_backends * self.backend_uss


def writer_postmaster() -> psutil.Process:
    """The postmaster of the node that is the writer now."""
    name = cluster.writer()
    pid = procs.postmaster_pid(BY_NAME[name].data_dir) if name else None
    if pid is None:
        raise cluster.ClusterUnhealthy("the writer's PostgreSQL is not running; run `./course up`")
    return psutil.Process(pid)


def pgbouncer_process() -> psutil.Process:
    try:
        return psutil.Process(int(procs.child_pid_file("pgbouncer").read_text()))
    except (FileNotFoundError, ValueError, psutil.NoSuchProcess):
        raise RuntimeError("PgBouncer (pg-proxy) is not running; run `./course up`") from None


def cpu_seconds(proc: psutil.Process, with_children: bool = False) -> float:
    """User + system CPU seconds of ``proc`` (with ``with_children``: plus every child, live or
    reaped)."""
    t = proc.cpu_times()
    total = t.user + t.system
    if with_children:
        total += t.children_user + t.children_system
        for child in proc.children():
            try:
                c = child.cpu_times()
                total += c.user + c.system
            except psutil.NoSuchProcess:
                continue  # exited between the listing and the read: the postmaster's children_* has it
    return total


# Titles of the postmaster's children that serve no client: its background processes, the
# replication senders, and the superuser sessions of the failover agent (Patroni).
NOT_CLIENTS = ("checkpointer", "background writer", "walwriter", "autovacuum", "archiver",
               "logical replication", "walsender", "postgres postgres ", "stats collector", "walreceiver")


def sessions_started() -> int:
    """Sessions PostgreSQL has started on the course's database since its statistics began
    (``pg_stat_database.sessions``), read in a superuser session, which a reserved slot admits
    even when clients hold every other one."""
    with writer_session() as conn:
        return conn.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s",
                            [credentials.pg().database]).fetchone()[0]


def children(pid: int) -> list[int]:
    """The pids of ``pid``'s children."""
    return [c.pid for c in psutil.Process(pid).children()]


def is_client_backend(title: str) -> bool:
    """Whether a child of the postmaster, by its process title, serves a client. A backend just
    forked still has the postmaster's command line; it counts, since it holds a connection slot
    from the moment it passes authentication."""
    return not any(words in title for words in NOT_CLIENTS)


class Watch(Workers):
    """``with Watch() as watch:`` samples the writer during the block; then read ``watch.use``."""
    role = "sampler"

    def __init__(self, postmaster: psutil.Process | None = None, proxy: psutil.Process | None = None):
        super().__init__(1)
        self.postmaster = postmaster or writer_postmaster()
        self.proxy = proxy or pgbouncer_process()
        self.peak = 0
        self.uss: list[float] = []
        self._start = (0.0, 0.0, 0)

    def backends(self) -> list[int]:
        """The pids of the postmaster's children that serve clients now."""
        found = []
        for pid in children(self.postmaster.pid):
            try:
                title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue  # exited meanwhile
            if is_client_backend(title):
                found.append(pid)
        return found

    def work(self, worker: int) -> None:
        while not self.stopping.is_set():
            backends = self.backends()
            for pid in backends[:MEMORY_SAMPLE] if len(self.uss) < MEMORY_SAMPLES else ():
                try:
                    uss = psutil.Process(pid).memory_full_info().uss
                except psutil.NoSuchProcess:
                    continue
                with self.lock:
                    self.uss.append(uss)
            with self.lock:
                self.peak = max(self.peak, len(backends))
            self.stopping.wait(INTERVAL)

    def _now(self) -> tuple[float, float, int]:
        return cpu_seconds(self.postmaster, with_children=True), cpu_seconds(self.proxy), sessions_started()

    def __enter__(self):
        self._start = self._now()
        return super().__enter__()

    def __exit__(self, *exc) -> None:
        super().__exit__(*exc)
        server, proxy, sessions = (end - start for end, start in zip(self._now(), self._start))
        self.use = ServerUse(self.peak, statistics.median(self.uss) if self.uss else float("nan"),
                             server, sessions, proxy)
