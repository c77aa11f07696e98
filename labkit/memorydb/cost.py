"""What durability costs: latency and throughput of the lab's write functions, and of its reads,
with 1 to many clients, on the healthy pair.

Each measurement puts the primary in the mode's configuration (``durability.Mode``), lets
``clients`` workers call the mode's write function for ``seconds``, and keeps every latency. The
modes take turns at each client count, so a machine that slows down slows all of them alike.

It also counts the primary's replica round trips: every ``REPLCONF ACK`` a replica sends it (in
answer to the ``REPLCONF GETACK`` that ``WAIT`` makes the primary send, and once a second
unasked). Writes per round trip above one mean one answer of the replica released several
waiting clients at once.
"""
from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import redis

from labkit import measure, tables
from labkit.cache.engines.redis_persistence import wait_for_aof
from labkit.memorydb import load, pair
from labkit.memorydb.durability import Mode

SECONDS = 0.5


@dataclass(frozen=True)
class Cost(measure.Percentiles):
    mode: str
    clients: int
    calls: int
    seconds: float
    latency_s: list[float] = field(repr=False)
    replica_acks: int = 0  # REPLCONF ACKs the primary received meanwhile

    @property
    def writes_per_ack(self) -> float:
        return self.calls / self.replica_acks if self.replica_acks else float("nan")

    @property
    def per_second(self) -> float:
        return self.calls / self.seconds


def replica_acks(node: redis.Redis) -> int:
    """How many REPLCONF commands ``node`` has executed: on a primary, its replicas' ACKs."""
    return node.info("commandstats").get("cmdstat_replconf", {}).get("calls", 0)


def _measure(name: str, op: Callable[[redis.Redis, str], object], client: redis.Redis, clients: int,
             seconds: float, prefix: str, cycle: int | None = None) -> Cost:
    node = pair.node(pair.primary())
    acks = replica_acks(node)
    done = load.run(op, client, prefix, clients, seconds, cycle)
    if done.errors:
        raise RuntimeError(f"{name} with {clients} clients met errors on a healthy pair: {dict(done.errors)}")
    return Cost(name, clients, len(done.calls), done.stopped - done.started, [c.seconds for c in done.calls],
                replica_acks(node) - acks)


def writes(modes: list[Mode], client: redis.Redis, clients: tuple[int, ...] = (1, 8, 64),
           seconds: float = SECONDS, prefix: str = "cost:") -> list[Cost]:
    """Each mode's write function with each number of clients, through ``client``."""
    results = []
    for n in clients:
        for mode in modes:
            pair.reset()
            node = pair.node(pair.primary())
            if mode.configure is not None:
                mode.configure(node)
                wait_for_aof(node)
            results.append(_measure(mode.name, mode.write, client, n, seconds, prefix))
            node.flushall()
    pair.reset()
    return results


def reads(name: str, read: Callable[[redis.Redis, str], object], client: redis.Redis,
          clients: tuple[int, ...] = (1, 8, 64), seconds: float = SECONDS, prefix: str = "cost:",
          keys: int = 200, value: str = "x" * 100) -> list[Cost]:
    """``read`` with each number of clients, each client going round ``keys`` keys stored first."""
    results = []
    for n in clients:
        client.mset({load.key_name(prefix, worker, k): value for worker in range(n) for k in range(keys)})
        results.append(_measure(name, read, client, n, seconds, prefix, cycle=keys))
        pair.node(pair.primary()).flushall()
    return results


def alternating(ops: dict[str, Callable[[redis.Redis, str], object]], client: redis.Redis, seconds: float = 1.0,
                prefix: str = "cost:") -> list[Cost]:
    """One client calling each of ``ops`` in turn on the same key, for ``seconds``: the calls
    interleave, so every op meets the same moments of a busy machine and their latencies compare
    even when the load on the machine changes."""
    latencies: dict[str, list[float]] = {name: [] for name in ops}
    t0 = time.monotonic()
    for n in itertools.count():
        if time.monotonic() - t0 >= seconds:
            break
        for name, op in ops.items():
            began = time.perf_counter()
            op(client, load.key_name(prefix, 0, n))
            latencies[name].append(time.perf_counter() - began)
    elapsed = time.monotonic() - t0
    return [Cost(name, 1, len(found), elapsed, found) for name, found in latencies.items()]


def table(costs: list[Cost], waits: str = "") -> str:
    """One row per measurement; writes per replica round trip only for the mode named ``waits``."""
    rows = [[c.mode, c.clients, f"{c.per_second:,.0f}", f"{c.p50_ms:.2f}", f"{c.p99_ms:.2f}",
             f"{c.writes_per_ack:.2f}" if c.mode == waits else None] for c in costs]
    return tables.markdown(["operation", "clients", "per second", "p50 ms", "p99 ms", "writes per replica round trip"],
                           rows, align="lrrrrr")


def latency_table(costs: list[Cost]) -> str:
    """Calls and latency percentiles only: for ``alternating``, whose ops share one client's time."""
    return tables.markdown(["operation", "calls", "p50 ms", "p99 ms"],
                           [[c.mode, c.calls, f"{c.p50_ms:.3f}", f"{c.p99_ms:.3f}"] for c in costs], align="lrrr")


def by(costs: list[Cost], mode: str, clients: int) -> Cost:
    """The measurement of ``mode`` with ``clients`` clients."""
    found = [c for c in costs if c.mode == mode and c.clients == clients]
    if not found:
        raise KeyError(f"no measurement of {mode!r} with {clients} clients")
    return found[0]
