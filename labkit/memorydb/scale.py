"""One shard's throughput on this machine, and a labelled model of how shards and replicas
multiply it.

``python_rate`` runs the lab's own function (one command, or a pipeline of many) on client
threads; ``benchmark`` runs redis-benchmark, Redis's C load generator, against one node. Both
clients share this machine's cores with the server, so both measure the machine as much as Redis.
``model`` is arithmetic, not a measurement: cluster writes = shards x one primary's writes;
cluster reads = nodes x one node's reads.
"""
from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

import redis

from labkit import binaries, tables
from labkit.endpoints import ENDPOINTS
from labkit.memorydb import load

AWS_TPS_PER_CLUSTER = 160_000_000  # "up to 160 million TPS per cluster" (Features of MemoryDB)
AWS_NODES_PER_CLUSTER = 500        # "up to 500 nodes ... per cluster (with 1 replica per shard)"


@dataclass(frozen=True)
class Rate:
    client: str      # what generated the load
    test: str        # which command
    pipeline: int    # commands per round trip
    clients: int
    per_second: float


def python_rate(test: str, op: Callable[[redis.Redis, str], object], client: redis.Redis, commands_per_call: int,
                clients: int = 4, seconds: float = 0.5, prefix: str = "scale:") -> Rate:
    """Commands per second when ``clients`` threads call ``op`` (``commands_per_call`` commands
    each time) for ``seconds``."""
    done = load.run(op, client, prefix, clients, seconds)
    if done.errors:
        raise RuntimeError(f"{test} met errors on a healthy pair: {dict(done.errors)}")
    return Rate("redis-py (Python threads)", test, commands_per_call, clients,
                len(done.calls) * commands_per_call / (done.stopped - done.started))


def benchmark_argv(node: str, tests: str, pipeline: int, requests: int, clients: int) -> list[str]:
    """The redis-benchmark command line for ``node``: ``tests`` like "set,get", ``pipeline``
    commands per round trip, ``requests`` per test, ``clients`` connections, 100-byte values."""
    host, port = ENDPOINTS[node].address
    return [binaries.find("redis-benchmark"), "-h", host, "-p", str(port), "-t", tests, "-n", str(requests),
            "-c", str(clients), "-P", str(pipeline), "-d", "100", "-r", "100000", "--csv"]


def parse_csv(text: str) -> dict[str, float]:
    """Requests per second per test from redis-benchmark's --csv output."""
    rows = csv.DictReader(io.StringIO(text))
    return {row["test"]: float(row["rps"]) for row in rows}


def benchmark(node: str, tests: str = "set,get", pipeline: int = 1, requests: int = 50_000,
              clients: int = 16) -> list[Rate]:
    """Run redis-benchmark against ``node``; one Rate per test."""
    done = subprocess.run(benchmark_argv(node, tests, pipeline, requests, clients), capture_output=True,
                          text=True, timeout=120, check=True)
    return [Rate("redis-benchmark (C)", test, pipeline, clients, rps) for test, rps in parse_csv(done.stdout).items()]


@dataclass(frozen=True)
class ClusterModel:
    shards: int
    replicas: int              # per shard
    writes_per_second: float   # shards x one primary's write rate
    reads_per_second: float    # every node x one node's read rate

    @property
    def nodes(self) -> int:
        return self.shards * (1 + self.replicas)


def model(write_rate: float, read_rate: float, shards: tuple[int, ...] = (1, 10, 100, 250),
          replicas: int = 1) -> list[ClusterModel]:
    """What ``shards`` shards of ``1 + replicas`` nodes would do if every primary wrote at
    ``write_rate`` and every node read at ``read_rate``: a model, nothing here is measured."""
    if write_rate <= 0 or read_rate <= 0 or replicas < 0 or min(shards) < 1:
        raise ValueError("need positive rates, at least one shard and no negative replica count")
    return [ClusterModel(s, replicas, s * write_rate, s * (1 + replicas) * read_rate) for s in shards]


def rate_table(rates: list[Rate]) -> str:
    rows = [[r.client, r.test, r.pipeline, r.clients, f"{r.per_second:,.0f}"] for r in rates]
    return tables.markdown(["client", "command", "commands per round trip", "clients", "commands/s"], rows,
                           align="llrrr")


def model_table(rows: list[ClusterModel]) -> str:
    return tables.markdown(
        ["shards", "replicas per shard", "nodes", "writes/s (model)", "reads/s (model)", "reads: share of 160 M"],
        [[m.shards, m.replicas, m.nodes, f"{m.writes_per_second:,.0f}", f"{m.reads_per_second:,.0f}",
          f"{m.reads_per_second / AWS_TPS_PER_CLUSTER:.1%}"] for m in rows], align="rrrrrr")
