"""Where every service of the local cloud listens, and which AWS role it plays.

This table is the single source of truth for names and ports: the README, the
docker-compose file and the tests are checked against it. Each endpoint can be
moved with an environment variable (``LABKIT_PG_WRITER=db.example.com:5432``),
so the same labs run against compose, servers a reader already has, or a real
Aurora / ElastiCache cluster.
"""
from __future__ import annotations

import os
import socket
from dataclasses import dataclass

from labkit import tables

START_HINT = "./course up"
EPHEMERAL_PORTS_START = 32768  # Linux's ephemeral range: TIME_WAIT client sockets block ports there


class ServiceUnavailable(ConnectionError):
    """A service did not answer: the message says what to start or which variable to fix."""


class BadEndpoint(ValueError):
    """An endpoint variable is set to something that is not HOST:PORT."""


@dataclass(frozen=True)
class Endpoint:
    name: str
    aws_role: str
    port: int
    public: bool = True  # False for plumbing a lab never talks to (etcd, Patroni's REST API, HAProxy's admin)
    on_demand: bool = False  # started by a lab when it needs it, not by `up`

    @property
    def env_var(self) -> str:
        return "LABKIT_" + self.name.upper().replace("-", "_")

    @property
    def address(self) -> tuple[str, int]:
        """(host, port), honouring the environment override and LABKIT_PORT_OFFSET."""
        raw = os.environ.get(self.env_var, "").strip()
        if not raw:
            return "127.0.0.1", self.port + port_offset()
        host, sep, port = raw.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise BadEndpoint(
                f"{self.env_var}={raw!r} is not HOST:PORT (for example 127.0.0.1:{self.port}); "
                f"fix or unset {self.env_var}."
            )
        return host, int(port)

    @property
    def host(self) -> str:
        return self.address[0]

    @property
    def bound_port(self) -> int:
        return self.address[1]

    def is_local(self) -> bool:
        return self.host in ("127.0.0.1", "localhost", "::1")

    def unavailable(self, why: object = "") -> ServiceUnavailable:
        host, port = self.address
        detail = f" ({why})" if why else ""
        return ServiceUnavailable(
            f"{self.name} ({self.aws_role}) does not answer at {host}:{port}{detail}. "
            f"Start the local cloud with `{START_HINT}`, or point {self.env_var} at a running server."
        )

    def check(self, timeout: float = 1.0) -> None:
        """Raise ServiceUnavailable unless something accepts TCP connections here."""
        try:
            socket.create_connection(self.address, timeout=timeout).close()
        except OSError as exc:
            raise self.unavailable(exc.strerror or exc) from None


def port_offset() -> int:
    """LABKIT_PORT_OFFSET shifts every default port, so a second local cloud can run beside the first
    (the test suite gives each parallel worker its own)."""
    raw = os.environ.get("LABKIT_PORT_OFFSET", "0").strip() or "0"
    top = max(e.port for e in ENDPOINTS.values())
    if not raw.isdigit() or top + int(raw) >= EPHEMERAL_PORTS_START:
        raise BadEndpoint(f"LABKIT_PORT_OFFSET={raw!r} must be a whole number below "
                          f"{EPHEMERAL_PORTS_START - top}, so every port stays below {EPHEMERAL_PORTS_START}.")
    return int(raw)


def disjoint_offsets(count: int, start: int) -> list[int]:
    """``count`` port offsets, the first 0, whose shifted port sets never overlap: one per parallel cloud."""
    ports = {e.port for e in ENDPOINTS.values()}
    chosen, used = [0], set(ports)
    for offset in range(start, EPHEMERAL_PORTS_START - max(ports)):
        if len(chosen) == count:
            break
        shifted = {p + offset for p in ports}
        if not shifted & used:
            chosen.append(offset)
            used |= shifted
    if len(chosen) < count:
        raise ValueError(f"no room below {EPHEMERAL_PORTS_START} for {count} local clouds")
    return chosen


def _pg_node(i: int) -> Endpoint:
    return Endpoint(f"pg-node{i}", f"Aurora PostgreSQL instance endpoint (node {i})", 15440 + i,
                    on_demand=i > PG_NODES)


def _patroni_api(i: int) -> Endpoint:
    return Endpoint(f"patroni{i}", f"failover agent of pg-node{i} (Patroni REST API)", 18440 + i,
                    public=False, on_demand=i > PG_NODES)


PG_NODES = 3          # nodes `up` starts: one writer, two readers
PG_EXTRA_NODE = 4     # a reader a lab adds and removes ("push-button scaling"); not started by `up`
ENDPOINTS: dict[str, Endpoint] = {
    e.name: e
    for e in [
        Endpoint("pg-writer", "Aurora PostgreSQL cluster (writer) endpoint", 15432),
        Endpoint("pg-reader", "Aurora PostgreSQL reader endpoint", 15433),
        *(_pg_node(i) for i in range(1, PG_EXTRA_NODE + 1)),
        Endpoint("pg-restore", "PostgreSQL restored to a point in time (a new cluster, as Aurora restores)",
                 15450, on_demand=True),
        Endpoint("pg-proxy", "RDS Proxy in front of the PostgreSQL writer", 16432),
        Endpoint("mysql-writer", "Aurora MySQL cluster (writer) endpoint", 13306),
        Endpoint("mysql-reader", "Aurora MySQL reader endpoint (instance of the replica)", 13307),
        Endpoint("mysql-restore", "MySQL restored from a backup and binlog replay", 13308, on_demand=True),
        Endpoint("redis-primary", "ElastiCache for Redis primary endpoint", 16400),
        Endpoint("redis-node1", "ElastiCache for Redis node 1", 16379),
        Endpoint("redis-node2", "ElastiCache for Redis node 2", 16380),
        *(Endpoint(f"redis-sentinel{i}", f"Multi-AZ failover monitor {i} (Redis Sentinel)", 16389 + i)
          for i in range(1, 4)),
        *(Endpoint(f"redis-standalone{i}", f"a single ElastiCache for Redis node a lab starts and "
                   f"resizes (shard {i})", 16409 + i, on_demand=True) for i in range(1, 3)),
        *(Endpoint(f"memorydb-node{i}", f"MemoryDB node {i}: a Redis pair a MemoryDB lab starts, crashes and "
                   f"wipes", 16420 + i, on_demand=True) for i in range(1, 3)),
        *(Endpoint(f"memorydb-sentinel{i}", f"failover monitor {i} of the MemoryDB pair (Redis Sentinel)",
                   16424 + i, on_demand=True) for i in range(1, 4)),
        Endpoint("memcached1", "ElastiCache for Memcached node 1", 11311),
        Endpoint("memcached2", "ElastiCache for Memcached node 2", 11312),
        *(Endpoint(f"web-app{i}", f"instance {i} of the session store lab's web application", 18000 + i,
                   on_demand=True) for i in range(1, 3)),
        Endpoint("haproxy-admin", "runtime API of the endpoints' load balancer (HAProxy)", 18400, public=False),
        Endpoint("etcd", "failover store of the PostgreSQL cluster (etcd)", 12379, public=False),
        Endpoint("etcd-peer", "etcd peer port", 12380, public=False),
        *(_patroni_api(i) for i in range(1, PG_EXTRA_NODE + 1)),
        Endpoint("secure-pg", "RDS for PostgreSQL instance of the security labs (its own certificates, "
                 "pg_hba.conf and token check)", 14000, on_demand=True),
        Endpoint("wire-relay", "the network path between client and database that the TLS lab records",
                 14001, public=False, on_demand=True),
        Endpoint("secure-redis", "ElastiCache for Redis node of the security labs (TLS only, users and ACLs)",
                 14002, on_demand=True),
        Endpoint("secure-mysql", "RDS for MySQL instance of the security labs (TLS required, its own certificate)",
                 14003, on_demand=True),
        Endpoint("mariadb-plain", "RDS for MariaDB instance without encryption at rest (a security lab starts it)",
                 14040, on_demand=True),
        Endpoint("mariadb-encrypted", "RDS for MariaDB instance encrypted at rest (a security lab starts it)",
                 14041, on_demand=True),
        Endpoint("mariadb-stolen", "a copy of the encrypted instance's disk, started without its key",
                 14042, on_demand=True),
        Endpoint("mariadb-audited", "RDS for MariaDB instance with its audit plugin on (a security lab starts it)",
                 14043, on_demand=True),
        Endpoint("pg-secondary", "Aurora Global Database secondary: a PostgreSQL replica in another \"Region\"",
                 14120, on_demand=True),
        Endpoint("region-relay", "the network path between the two Regions, with a one-way delay",
                 14121, public=False, on_demand=True),
        Endpoint("pg-proxy-iam", "RDS Proxy that requires IAM authentication (tokens) from its clients",
                 14084, on_demand=True),
    ]
}


def endpoint(name: str) -> Endpoint:
    try:
        return ENDPOINTS[name]
    except KeyError:
        raise KeyError(f"no endpoint called {name!r}; known: {', '.join(ENDPOINTS)}") from None


def validate() -> None:
    """Raise BadEndpoint for the first malformed LABKIT_* endpoint variable, before any work starts."""
    for ep in ENDPOINTS.values():
        ep.address


def markdown_table() -> str:
    """The endpoint table as the README shows it (a test keeps the two in step)."""
    return tables.markdown(["name", "AWS role", "default address", "variable"],
                           [[f"`{e.name}`", e.aws_role, f"127.0.0.1:{e.port}", f"`{e.env_var}`"]
                            for e in ENDPOINTS.values()])
