"""How long the local cloud takes to start and stop: targets ≤ 15 s healthy from nothing, ≤ 5 s down.

Run with ``.venv/bin/python benchmarks/up_down.py [rounds]``. It stops your local cloud, measures
in a fresh state folder ("from nothing": init, base backups, installs) and in the usual one
("from stopped"), and starts your cloud again at the end. Patroni's own environment (as root) is
shared by every state folder, so its one-time installation is not counted.
"""
from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from labkit import cloud, cluster, status
from labkit.services import patroni


def healthy_up() -> float:
    t0 = time.monotonic()
    cloud.up(echo=lambda *_: None)
    cluster.wait_healthy(120)
    while not status.healthy():
        time.sleep(0.1)
    return time.monotonic() - t0


def timed_down() -> float:
    t0 = time.monotonic()
    cloud.down(echo=lambda *_: None)
    return time.monotonic() - t0


def from_nothing() -> tuple[float, float]:
    fresh = Path(tempfile.mkdtemp(prefix="labkit-bench-", dir="/var/tmp"))
    os.chmod(fresh, 0o755)
    os.environ["LABKIT_HOME"] = str(fresh)
    try:
        return healthy_up(), timed_down()
    finally:
        del os.environ["LABKIT_HOME"]
        shutil.rmtree(fresh)


def main(rounds: int) -> None:
    patroni.patroni_program()  # a one-time install, not start-up work
    cloud.down(echo=lambda *_: None)
    results: dict[str, list[float]] = {"up from nothing": [], "up from stopped": [], "down": []}
    for _ in range(rounds):
        up_s, down_s = from_nothing()
        results["up from nothing"].append(up_s)
        results["down"].append(down_s)
        results["up from stopped"].append(healthy_up())
        results["down"].append(timed_down())
    healthy_up()
    print(f"{'':18}{'median s':>10}{'max s':>8}  target")
    targets = {"up from nothing": "≤ 15 s", "up from stopped": "≤ 15 s", "down": "≤ 5 s"}
    for label, values in results.items():
        print(f"{label:18}{statistics.median(values):10.1f}{max(values):8.1f}  {targets[label]}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
