"""Reads sent to the Redis primary only, or spread over primary and replica, with the CPU of every
process involved counted: the load generator's as much as each server's.

On a laptop the client threads, the primary and the replica share the same few cores, so a
replica can only raise the throughput if the servers, not the client, were the limit. The run
therefore reports where the CPU went (this process's own CPU time, each node's
``used_cpu_user + used_cpu_sys`` from ``INFO cpu``) and how many commands each node served, so
the figure can be read for what it is. ``read_after_write`` measures the price of every replica
read: the window during which a replica still answers with the old value.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from labkit import tables
from labkit.workers import Workers

POLL_TIMEOUT = 5.0


def cpu_seconds(node: redis.Redis) -> float:
    """CPU seconds the node's Redis process has used since it started."""
    cpu = node.info("cpu")
    return float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"])


def commands_served(node: redis.Redis) -> int:
    return int(node.info("stats")["total_commands_processed"])


class Readers(Workers):
    """One thread per client of ``route``, each calling ``read(client)`` until the block ends."""
    role = "reader"

    def __init__(self, read: Callable[[redis.Redis], object], route: list[redis.Redis]):
        super().__init__(threads=len(route))
        self.read, self.route = read, route
        self.counts = [0] * len(route)

    def work(self, worker: int) -> None:
        client = self.route[worker]
        while not self.stopping.is_set():
            self.read(client)
            self.counts[worker] += 1


@dataclass(frozen=True)
class ReadRun:
    label: str
    reads: int
    seconds: float
    client_cpu_s: float                 # this process: the load generator
    server_cpu_s: dict[str, float]      # per node
    served: dict[str, int]              # commands per node

    @property
    def per_second(self) -> float:
        return self.reads / self.seconds

    def cores(self, cpu_s: float) -> float:
        """CPU seconds as the number of cores kept busy during the run."""
        return cpu_s / self.seconds


def measure(label: str, read: Callable[[redis.Redis], object], route: list[redis.Redis],
            nodes: dict[str, redis.Redis], seconds: float) -> ReadRun:
    """Run one reader per client of ``route`` for ``seconds``; count reads, this process's CPU
    and, for each of ``nodes`` (a client per node, by name), its CPU and the commands it served."""
    if not route or seconds <= 0:
        raise ValueError(f"need at least one client in route and seconds > 0 (got {len(route)}, {seconds})")
    cpu_before = {name: cpu_seconds(node) for name, node in nodes.items()}
    served_before = {name: commands_served(node) for name, node in nodes.items()}
    own_before = time.process_time()
    with Readers(read, route) as readers:
        time.sleep(seconds)
    own = time.process_time() - own_before
    elapsed = readers.stopped - readers.started
    return ReadRun(label, sum(readers.counts), elapsed, own,
                   {name: cpu_seconds(node) - cpu_before[name] for name, node in nodes.items()},
                   {name: commands_served(node) - served_before[name] for name, node in nodes.items()})


def run_table(runs: list[ReadRun]) -> str:
    """Reads per second, and the cores each process kept busy, one row per run."""
    names = list(runs[0].server_cpu_s)
    return tables.markdown(
        ["reads", "reads/s", "load generator (cores)", *(f"{n} (cores)" for n in names),
         *(f"{n} served" for n in names)],
        [[r.label, f"{r.per_second:,.0f}", f"{r.cores(r.client_cpu_s):.2f}",
          *(f"{r.cores(r.server_cpu_s[n]):.2f}" for n in names),
          *(f"{r.served[n] / sum(r.served.values()):.0%}" for n in names)] for r in runs],
        align="lrrrrrr")


def read_after_write(write: Callable[[str, str], object], read_replica: Callable[[str], object],
                     key: str, trials: int) -> list[float]:
    """Write a new value ``trials`` times and read it back from the replica at once.

    Returns, for each trial whose first replica read still saw the old value, the seconds from
    the write's reply until the replica answered with the new one (NaN: not within 5 s). Trials
    whose first read was already fresh are not in the list: their window was shorter than a read.
    """
    windows = []
    for trial in range(trials):
        value = f"v{trial}"
        write(key, value)
        written = time.monotonic()
        if read_replica(key) == value:
            continue
        seen = False
        while not seen and time.monotonic() - written < POLL_TIMEOUT:
            seen = read_replica(key) == value
        windows.append(time.monotonic() - written if seen else math.nan)
    return windows
