"""Redis primary + replica watched by 3 Sentinels: ElastiCache for Redis with Multi-AZ failover.

Configs are written once: Redis and Sentinel rewrite them on failover, so after a restart each
node comes back in the role it last had.
"""
from __future__ import annotations

import hashlib
import shutil

import redis
import redis.sentinel

from labkit import accounts, binaries
from labkit.endpoints import ENDPOINTS
from labkit.services.base import Daemon

MASTER_NAME = "cache"  # the name Sentinel monitors; clients ask Sentinel for it
NODES = ("redis-node1", "redis-node2")
SENTINELS = ("redis-sentinel1", "redis-sentinel2", "redis-sentinel3")
QUORUM = 2
DOWN_AFTER_MS = 1000


def client(name: str, **kwargs) -> redis.Redis:
    host, port = ENDPOINTS[name].address
    return redis.Redis(host=host, port=port, socket_connect_timeout=0.5, socket_timeout=2, **kwargs)


def sentinel_id(name: str) -> str:
    """A fixed 40-hex-digit id, so each Sentinel's config can name the others from the start."""
    return hashlib.sha1(f"labkit-{name}".encode()).hexdigest()


def _ping(name: str) -> bool:
    try:
        return bool(client(name).ping())
    except redis.RedisError:
        return False


def primary_address() -> tuple[str, int] | None:
    """Where the Sentinels say the primary is, asked as a Sentinel-aware client asks (redis-py's
    discover_master); None when none of them answers or names a live primary (a first start)."""
    sentinels = redis.sentinel.Sentinel([ENDPOINTS[n].address for n in SENTINELS], decode_responses=True,
                                        sentinel_kwargs={"socket_connect_timeout": 0.5,
                                                         "socket_timeout": 0.5})
    try:
        host, port = sentinels.discover_master(MASTER_NAME)
    except redis.sentinel.MasterNotFoundError:
        return None
    return host, int(port)


def node_at(address: tuple[str, int]) -> str | None:
    """The pair's node at ``address`` as Sentinel reports it: an IP address, so the port decides
    when an endpoint is configured by host name."""
    return next((name for name in NODES
                 if ENDPOINTS[name].address == address or ENDPOINTS[name].bound_port == address[1]), None)


def replicating(info: dict) -> bool:
    """Whether a node's INFO replication shows a replica with its link to the primary up."""
    return info.get("role") == "slave" and info.get("master_link_status") == "up"


def sentinel_unsettled(seen: dict) -> list[str]:
    """What a Sentinel's SENTINEL MASTER view shows is not settled yet; empty when it sees all
    its peers and replicas and reports no failure or failover."""
    found = []
    if seen["num-other-sentinels"] != len(SENTINELS) - 1 or seen["num-slaves"] < len(NODES) - 1:
        found.append("does not see all its peers and replicas yet")
    if seen["is_odown"] or seen["is_sdown"] or "failover_in_progress" in seen["flags"]:
        found.append("still reports a failure or failover")
    return found


class RedisNode(Daemon):
    def prepare(self) -> None:
        conf = self.folder / "redis.conf"
        if conf.exists():
            self._rejoin_as_replica(conf)
            return
        lines = [
            "bind 127.0.0.1", f"port {ENDPOINTS[self.name].bound_port}", "daemonize no",
            f'dir "{self.folder}"', 'logfile ""',
            "repl-diskless-sync yes", "repl-diskless-sync-delay 0",  # else a replica's first sync waits 5 s
        ]
        if self.name != NODES[0]:
            host, port = ENDPOINTS[NODES[0]].address
            lines.append(f"replicaof {host} {port}")
        accounts.write(conf, "\n".join(lines) + "\n")

    def _rejoin_as_replica(self, conf) -> None:
        """A node restarted after Sentinel promoted another comes back as its replica, as a replaced
        ElastiCache node does, never as a second primary (its config still says primary)."""
        primary = primary_address()
        if primary is None or node_at(primary) == self.name:
            return
        lines = [l for l in conf.read_text().splitlines() if not l.startswith(("replicaof ", "slaveof "))]
        accounts.write(conf, "\n".join(lines + [f"replicaof {primary[0]} {primary[1]}"]) + "\n")

    def argv(self) -> list[str]:
        return [binaries.find("redis-server"), str(self.folder / "redis.conf")]

    def ready(self) -> bool:
        return _ping(self.name)


class Sentinel(Daemon):
    def prepare(self) -> None:
        conf = self.folder / "sentinel.conf"
        if conf.exists():
            return
        host, port = ENDPOINTS[NODES[0]].address
        lines = [
            "bind 127.0.0.1", f"port {ENDPOINTS[self.name].bound_port}", "daemonize no",
            f'dir "{self.folder}"', 'logfile ""', f"sentinel myid {sentinel_id(self.name)}",
            f"sentinel monitor {MASTER_NAME} {host} {port} {QUORUM}",
            f"sentinel down-after-milliseconds {MASTER_NAME} {DOWN_AFTER_MS}",
            f"sentinel failover-timeout {MASTER_NAME} 10000",
            f"sentinel parallel-syncs {MASTER_NAME} 1",
        ]
        # Pre-seeded peers: otherwise Sentinels only learn of each other from 2-second hello messages.
        lines += [f"sentinel known-sentinel {MASTER_NAME} 127.0.0.1 {ENDPOINTS[o].bound_port} {sentinel_id(o)}"
                  for o in SENTINELS if o != self.name]
        lines += [f"sentinel known-replica {MASTER_NAME} {ENDPOINTS[n].host} {ENDPOINTS[n].bound_port}"
                  for n in NODES[1:]]
        accounts.write(conf, "\n".join(lines) + "\n")

    def argv(self) -> list[str]:
        return [binaries.find("redis-server"), str(self.folder / "sentinel.conf"), "--sentinel"]

    def ready(self) -> bool:
        try:
            return bool(client(self.name).sentinel_master(MASTER_NAME))
        except redis.RedisError:
            return False


class StandaloneRedis(Daemon):
    """A lone Redis a lab starts, resizes and throws away: no replica, no snapshots, empty at start."""

    def prepare(self) -> None:
        for leftover in self.folder.glob("*"):
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
        lines = [
            "bind 127.0.0.1", f"port {ENDPOINTS[self.name].bound_port}", "daemonize no",
            f'dir "{self.folder}"', 'logfile ""', 'save ""', "appendonly no",
        ]
        accounts.write(self.folder / "redis.conf", "\n".join(lines) + "\n")

    def argv(self) -> list[str]:
        return [binaries.find("redis-server"), str(self.folder / "redis.conf")]

    def ready(self) -> bool:
        return _ping(self.name)


STANDALONE = ("redis-standalone1", "redis-standalone2")
DAEMONS = [RedisNode(n, binds=(n,)) for n in NODES] + [
    Sentinel(s, binds=(s,), after=NODES) for s in SENTINELS
] + [StandaloneRedis(n, binds=(n,), optional=True) for n in STANDALONE]
