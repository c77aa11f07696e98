"""GET/SET throughput of one Redis node and one Memcached node with 1 to a few client threads.

Memcached serves connections on several worker threads (``-t 2`` here); Redis executes every
command on one thread (its ``io-threads`` only help with network I/O, and are off by default).
Each client thread has its own connection and repeats the page's request (a GET and a SET of a
small value) for a fixed time; both clients answer the same calls, and both wait for each reply. Clients and servers share this machine's cores, so the numbers say as much about
the machine as about the engines: the lab prints how many cores there are next to them.
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from labkit import external, tables
from labkit.cache import clients, failover

KEYS = 1000


@dataclass(frozen=True)
class Rate:
    engine: str
    threads: int
    ops: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.ops / self.seconds


def _redis():
    """The primary itself, as memcached1 is a node itself; through its endpoint when the Redis is
    not labkit's (its nodes and Sentinels are then unknown)."""
    if external.is_external("redis-primary"):
        return clients.primary()
    return clients.redis_at(failover.primary_node())


def _memcached():
    """memcached1, waiting for the reply to every SET as redis-py does (pymemcache would not)."""
    return clients.memcached_node("memcached1", default_noreply=False)


ENGINES: dict[str, Callable] = {"Redis": _redis, "Memcached": _memcached}


def server_threads() -> dict[str, str]:
    """What each server reports about its threads (ElastiCache refuses CONFIG GET: then it says so)."""
    mc = clients.memcached_node("memcached1").stats()
    try:
        redis_threads = (f"io-threads {_redis().config_get('io-threads')['io-threads']}"
                         " (1 = commands and I/O on the main thread)")
    except redis.ResponseError as exc:
        redis_threads = f"io-threads unknown: CONFIG GET refused ({exc})"
    return {"Memcached": f"{int(mc[b'threads'])} worker threads", "Redis": redis_threads}


Request = Callable[[object, str], None]


def measure(engine: str, threads: int, prefix: str, request: Request, seconds: float = 0.6) -> Rate:
    """Operations completed by ``threads`` clients of ``engine`` repeating ``request(client, key)``
    (two operations each: a GET and a SET) for about ``seconds``."""
    if engine not in ENGINES or threads < 1 or seconds <= 0:
        raise ValueError(f"need an engine in {list(ENGINES)}, threads >= 1 and seconds > 0"
                         f" (got {engine!r}, {threads}, {seconds})")
    connections = [ENGINES[engine]() for _ in range(threads)]
    counts = [0] * threads
    start = threading.Barrier(threads + 1)

    def work(k: int) -> None:
        client, done = connections[k], 0
        start.wait()
        while time.perf_counter() < deadline:
            key = f"{prefix}bench:{(k * 7919 + done) % KEYS}"  # threads start at different keys
            request(client, key)
            done += 2
        counts[k] = done

    workers = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    t0 = time.perf_counter()
    deadline = t0 + seconds
    start.wait()
    for w in workers:
        w.join()
    return Rate(engine, threads, sum(counts), time.perf_counter() - t0)


def sweep(prefix: str, request: Request, thread_counts: tuple[int, ...] = (1, 2, 4),
          seconds: float = 0.6) -> list[Rate]:
    """``measure`` for every engine and thread count, engines taking turns; then delete the keys."""
    rates = [measure(engine, n, prefix, request, seconds) for n in thread_counts for engine in ENGINES]
    names = [f"{prefix}bench:{k}" for k in range(KEYS)]
    _redis().delete(*names)
    _memcached().delete_many(names, noreply=False)
    return rates


def rate_table(rates: list[Rate]) -> str:
    engines = list(dict.fromkeys(r.engine for r in rates))
    counts = sorted({r.threads for r in rates})
    by = {(r.engine, r.threads): r.per_second for r in rates}
    return tables.markdown(["client threads"] + [f"{e} ops/s" for e in engines],
                           [[n] + [f"{by[e, n]:,.0f}" for e in engines] for n in counts],
                           align="r" * (len(engines) + 1))


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
