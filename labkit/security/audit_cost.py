"""What auditing costs: pgbench transactions per second at each audit level, levels taking turns.

``compare`` calls the page's ``set_level(level)`` and then runs pgbench with the page's
arguments against the writer endpoint, as the course's login, once per level per round, so
every level meets the same moments of a busy laptop. pgbench's own figure is the result.
"""
from __future__ import annotations

import os
import re
import statistics
import subprocess
from collections.abc import Callable, Sequence

from labkit import binaries, credentials, tables, tls
from labkit.endpoints import ENDPOINTS

TPS = re.compile(r"^tps = ([0-9.]+) \(without initial connection time\)", re.M)


class BenchFailed(RuntimeError):
    """pgbench failed; the message quotes it."""


def environment(endpoint: str = "pg-writer") -> dict[str, str]:
    """libpq's variables that point pgbench at ``endpoint`` as the course's login, TLS verified."""
    host, port = ENDPOINTS[endpoint].address
    login = credentials.pg()
    return {**os.environ, "PGHOST": host, "PGPORT": str(port), "PGUSER": login.user,
            "PGPASSWORD": login.password, "PGDATABASE": login.database,
            "PGSSLMODE": "verify-full", "PGSSLROOTCERT": str(tls.files()["ca"])}


def pgbench(args: Sequence[str], endpoint: str = "pg-writer") -> str:
    """Run ``pgbench ARGS`` against ``endpoint``; return what it printed."""
    program = str(binaries.postgres_bin_dir() / "pgbench")
    done = subprocess.run([program, *args], capture_output=True, text=True, env=environment(endpoint))
    if done.returncode:
        raise BenchFailed(f"pgbench {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout + done.stderr


def tps(output: str) -> float:
    """The transactions per second pgbench reported."""
    found = TPS.search(output)
    if found is None:
        raise BenchFailed(f"pgbench printed no tps line:\n{output[-1000:]}")
    return float(found.group(1))


def compare(set_level: Callable[[str], object], levels: Sequence[str], args: Sequence[str],
            rounds: int) -> dict[str, list[float]]:
    """pgbench's tps per level, ``rounds`` runs each, the levels taking turns."""
    if rounds < 1 or not levels:
        raise ValueError("give at least one level and one round")
    found: dict[str, list[float]] = {level: [] for level in levels}
    for _ in range(rounds):
        for level in levels:
            set_level(level)
            found[level].append(tps(pgbench(args)))
    return found


def cost_table(found: dict[str, list[float]], baseline_level: str = "none") -> str:
    """Median tps per level and its share of ``baseline_level``'s."""
    base = statistics.median(found[baseline_level])
    return tables.markdown(["pgaudit.log", "runs", "median tps", "vs none"],
                           [[f"`{level}`", len(runs), f"{statistics.median(runs):,.0f}",
                             f"{statistics.median(runs) / base:.0%}"] for level, runs in found.items()],
                           align="lrrr")
