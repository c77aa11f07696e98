"""What a server leaves on its disk, and what encrypting it costs.

``search`` runs the page's own marker-counting function over every file of a data folder and
sums the counts by kind of file (table data, redo log, binary log, the rest), so a lab can show
in one table where a plain server keeps readable copies of a row and that an encrypted one keeps
none. ``compare`` times the page's insert function on several servers in alternating rounds, so
the servers share whatever else the machine is doing, and ``cost_table`` sets them side by side.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from labkit import measure, tables

KINDS = ("table data", "redo log", "binary log", "other")


def kind(path: Path) -> str:
    """Which of KINDS a MariaDB data-folder file is."""
    name = path.name
    if name.endswith(".ibd") or name.startswith("ibdata"):
        return "table data"
    if name.startswith("ib_logfile"):
        return "redo log"
    if name.startswith("binlog.") and name[len("binlog."):].isdigit():
        return "binary log"
    return "other"


def search(folder: Path, count: Callable[[Path], int]) -> dict[str, int]:
    """``count(file)`` summed by kind over every file under ``folder``."""
    if not folder.is_dir():
        raise FileNotFoundError(f"no data folder at {folder}: start the server before searching its disk")
    found = dict.fromkeys(KINDS, 0)
    for path in folder.rglob("*"):
        if path.is_file():
            found[kind(path)] += count(path)
    return found


def search_table(found: dict[str, dict[str, int]]) -> str:
    """A Markdown table of ``search`` results, one row per labelled folder."""
    return tables.markdown(["server", *KINDS, "total"],
                           [[label, *(counts[k] for k in KINDS), sum(counts.values())]
                            for label, counts in found.items()], align="l" + "r" * (len(KINDS) + 1))


def compare(insert: Callable[[object, int], object], connections: dict[str, object],
            rows: int, rounds: int) -> dict[str, list[float]]:
    """Call ``insert(connection, i)`` ``rows`` times per round on each labelled connection, the
    servers taking turns round by round; return every call's latency in seconds, by label."""
    if rows < 1 or rounds < 1:
        raise ValueError(f"rows ({rows}) and rounds ({rounds}) must be at least 1")
    latencies: dict[str, list[float]] = {label: [] for label in connections}
    i = 0
    for _ in range(rounds):
        for label, conn in connections.items():
            for _ in range(rows):
                t0 = time.perf_counter()
                insert(conn, i)
                latencies[label].append(time.perf_counter() - t0)
                i += 1
    return latencies


def throughput(latencies: list[float]) -> float:
    """Inserts per second of one connection that spent ``latencies`` seconds on its calls."""
    return len(latencies) / sum(latencies)


def cost_table(latencies: dict[str, list[float]]) -> str:
    """Inserts per second, p50 and p99 latency per labelled series."""
    rows = []
    for label, series in latencies.items():
        s = measure.summary_ms(series)
        rows.append([label, s.n, f"{throughput(series):,.0f}", f"{s.p50:.2f}", f"{s.p99:.2f}"])
    return tables.markdown(["server", "inserts", "inserts/s (one connection)", "p50 ms", "p99 ms"], rows,
                           align="lrrrr")
