"""Stale reads: does a read see every write acknowledged before it began?

One writer stores versions 1, 2, 3, ... of one key with the lab's write function and notes when
each was acknowledged. Readers, one per node, read the key in a loop with the lab's read function.
Before each read a reader notes the newest acknowledged version; a read that returns an older
one is **stale**, and its age is how long the first version it missed had been acknowledged when
the read began. Background writers (the lab's function again) keep the pair busy meanwhile, as
an application's other traffic would: a replica that must apply a stream of writes falls behind
by more than an idle one. A replica on the same machine still keeps up within microseconds, so a
lab can make it fall behind on purpose (``hold``) to show what a lagging replica answers.
"""
from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field

import redis

from labkit import tables
from labkit.memorydb.load import Load

SECONDS = 2.0
HOLD_EVERY = 0.2  # seconds between two calls of ``hold``


@dataclass(frozen=True)
class Reads:
    write: str      # the write function's name
    node: str       # which reader: "primary", "replica"
    reads: int
    stale: int
    ages_s: list[float] = field(repr=False)  # one per stale read

    @property
    def stale_fraction(self) -> float:
        return self.stale / self.reads if self.reads else 0.0


def staleness(version: int, newest: int, acknowledged: list[float], began: float) -> float | None:
    """None if a read that began at ``began``, when ``newest`` was the newest acknowledged version,
    returned ``version`` or newer; else its age: how long the first version it missed had been
    acknowledged (``acknowledged[i]`` is when version i+1 was)."""
    return None if version >= newest else began - acknowledged[version]


def measure(write: Callable[[redis.Redis, str, int], object], read: Callable[[redis.Redis, str], int],
            primary: redis.Redis, readers: dict[str, redis.Redis], key: str, seconds: float = SECONDS,
            background: Callable[[redis.Redis, str], object] | None = None, background_clients: int = 4,
            prefix: str = "stale:", hold: Callable[[], object] | None = None,
            hold_every: float = HOLD_EVERY) -> list[Reads]:
    """Versions of ``key`` written with ``write(primary, key, n)`` while each of ``readers`` calls
    ``read(client, key)`` in a loop; ``background`` writers run alongside when given, and ``hold()``
    is called every ``hold_every`` seconds (to make a replica fall behind for a moment)."""
    acknowledged: list[float] = []
    stop = threading.Event()
    found: dict[str, tuple[int, list[float]]] = {}
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            for n in itertools.count(1):
                if stop.is_set():
                    return
                write(primary, key, n)
                acknowledged.append(time.monotonic())
        except Exception as exc:  # raised below: a broken writer must not pass for a clean run
            failures.append(exc)

    def reader(name: str, client: redis.Redis) -> None:
        count, ages = 0, []
        try:
            while not stop.is_set():
                newest, began = len(acknowledged), time.monotonic()  # every version up to newest was acknowledged before the read began
                age = staleness(read(client, key), newest, acknowledged, began)
                count += 1
                if age is not None:
                    ages.append(age)
        except Exception as exc:
            failures.append(exc)
        found[name] = (count, ages)

    def holder() -> None:
        try:
            while not stop.is_set():
                hold()
                stop.wait(hold_every)
        except Exception as exc:
            failures.append(exc)

    threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader, args=item)
                                                   for item in readers.items()]
    if hold is not None:
        threads.append(threading.Thread(target=holder))
    busy = Load(background, primary, prefix, background_clients) if background else nullcontext()
    with busy:
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        stop.set()
        for thread in threads:
            thread.join()
    if failures:
        raise RuntimeError(f"a reader or the writer failed: {failures[0]!r}") from failures[0]
    return [Reads(write.__name__, name, count, len(ages), ages) for name, (count, ages) in found.items()]


def table(results: list[Reads]) -> str:
    rows = []
    for r in results:
        ages = sorted(r.ages_s)
        rows.append([r.write, r.node, r.reads, r.stale, f"{r.stale_fraction:.2%}",
                     f"{ages[len(ages) // 2] * 1000:.2f}" if ages else None,
                     f"{ages[-1] * 1000:.2f}" if ages else None])
    return tables.markdown(["writes with", "reads from", "reads", "stale", "stale share", "median age ms",
                            "oldest ms"], rows, align="llrrrrr")
