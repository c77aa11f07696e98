"""Redis primary + replica watched by 3 Sentinels: ElastiCache for Redis with Multi-AZ failover.

Configs are written once: Redis and Sentinel rewrite them on failover, so after a restart each
node comes back in the role it last had. Only the logins are written anew at every start. A second pair of the same shape (``MEMORYDB``) is started
on demand by the MemoryDB labs, which crash it and discard its data without touching the first.
The first pair's nodes refuse a client that does not log in (``redis_users``); the second keeps
no login, as the lone nodes and the Sentinels' own ports.
"""
from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import redis
import redis.sentinel

from labkit import accounts, binaries
from labkit.endpoints import ENDPOINTS
from labkit.services import redis_users
from labkit.services.base import Daemon

MASTER_NAME = "cache"  # the name Sentinel monitors; clients ask Sentinel for it
NODES = ("redis-node1", "redis-node2")
SENTINELS = ("redis-sentinel1", "redis-sentinel2", "redis-sentinel3")
QUORUM = 2
DOWN_AFTER_MS = 1000


@dataclass(frozen=True)
class Pair:
    """A primary + replica and the Sentinels that watch them under one master name; the first
    node is the primary at the first start."""
    master: str
    nodes: tuple[str, ...]
    sentinels: tuple[str, ...]
    settings: tuple[str, ...] = ()  # extra redis.conf lines of its nodes
    down_after_ms: int = DOWN_AFTER_MS  # silence after which a Sentinel suspects a node
    failover_timeout_ms: int = 10000  # also: a failed election is given up after it, retried after twice it
    logins: bool = False  # the nodes have users (redis_users) and refuse a client that does not log in

    @property
    def failover_bound_s(self) -> float:
        """The longest a Sentinel failover may take here: a node is suspected after down-after,
        an election may fail once and be retried after twice failover-timeout, and the promotion
        must finish within failover-timeout; doubled, for a busy machine."""
        return 2 * (self.down_after_ms + 3 * self.failover_timeout_ms) / 1000


CACHE = Pair(MASTER_NAME, NODES, SENTINELS, logins=True)
# No snapshots on a timer: the MemoryDB labs decide when a node forks (BGSAVE, BGREWRITEAOF), and
# DEBUG POPULATE fills a node fast. A failover makes each Sentinel drop its connection to the new
# primary and wait up to a second before it reconnects and pings it; with 1.5 s of silence allowed,
# it does not take the new primary for dead meanwhile and start a failover doomed to abort. When
# the three Sentinels notice a dead primary at the same instant (a busy machine can pause them all)
# each may vote for itself; a 3 s failover-timeout ends such a split vote in 3 s and retries after
# 6 s, where 10 s would cost 20.
MEMORYDB = Pair("memorydb", ("memorydb-node1", "memorydb-node2"),
                ("memorydb-sentinel1", "memorydb-sentinel2", "memorydb-sentinel3"),
                settings=('save ""', "appendonly no", "enable-debug-command local"), down_after_ms=1500,
                failover_timeout_ms=3000)


LOGIN_ENDPOINTS = (*NODES, "redis-primary")  # where a client of the local cloud must log in


def login(name: str, admin: bool = False) -> dict[str, str]:
    """The username and password a client of local endpoint ``name`` logs in with: the app user,
    or the admin user for labkit's own operations; none for the servers that keep no login."""
    if name not in LOGIN_ENDPOINTS:
        return {}
    return redis_users.admin_login() if admin else redis_users.app_login()


def client(name: str, **kwargs) -> redis.Redis:
    """labkit's own client of a local endpoint, logged in as the admin user where there are users."""
    host, port = ENDPOINTS[name].address
    return redis.Redis(host=host, port=port, socket_connect_timeout=0.5, socket_timeout=2,
                       **{**login(name, admin=True), **kwargs})


def sentinel_id(name: str) -> str:
    """A fixed 40-hex-digit id, so each Sentinel's config can name the others from the start."""
    return hashlib.sha1(f"labkit-{name}".encode()).hexdigest()


class UsersOutdated(RuntimeError):
    """A node runs with other users than labkit's: started before the pair had users, or with
    passwords since generated anew."""


def _ping(name: str) -> bool:
    """Whether ``name`` answers; one that refuses labkit's login answers too (``check_logins``
    says what to do about it)."""
    try:
        return bool(client(name).ping())
    except redis.AuthenticationError:
        return True
    except redis.RedisError:
        return False


def check_logins(pair: Pair = CACHE) -> None:
    """Raise UsersOutdated, saying what to do, when a node of ``pair`` that answers refuses
    labkit's admin login (before any client meets a bare authentication error)."""
    if not pair.logins:
        return
    for name in pair.nodes:
        try:
            client(name).ping()
        except redis.AuthenticationError as exc:
            raise UsersOutdated(f"{name} refuses labkit's admin login ({exc}): it runs with users from before (a "
                                f"configuration older than the course's Redis users, or another "
                                f".labs/credentials.json); restart the cloud: `./course down`, then `./course up`") from None
        except redis.RedisError:
            continue  # a node that is down is started by `up`


def primary_address(pair: Pair = CACHE) -> tuple[str, int] | None:
    """Where the Sentinels say the primary is, asked as a Sentinel-aware client asks (redis-py's
    discover_master); None when none of them answers or names a live primary (a first start)."""
    sentinels = redis.sentinel.Sentinel([ENDPOINTS[n].address for n in pair.sentinels], decode_responses=True,
                                        sentinel_kwargs={"socket_connect_timeout": 0.5,
                                                         "socket_timeout": 0.5})
    try:
        host, port = sentinels.discover_master(pair.master)
    except redis.sentinel.MasterNotFoundError:
        return None
    return host, int(port)


def node_at(address: tuple[str, int], pair: Pair = CACHE) -> str | None:
    """The pair's node at ``address`` as Sentinel reports it: an IP address, so the port decides
    when an endpoint is configured by host name."""
    return next((name for name in pair.nodes
                 if ENDPOINTS[name].address == address or ENDPOINTS[name].bound_port == address[1]), None)


def replicating(info: dict) -> bool:
    """Whether a node's INFO replication shows a replica with its link to the primary up."""
    return info.get("role") == "slave" and info.get("master_link_status") == "up"


def sentinel_unsettled(seen: dict, pair: Pair = CACHE) -> list[str]:
    """What a Sentinel's SENTINEL MASTER view shows is not settled yet; empty when it sees all
    its peers and replicas and reports no failure or failover."""
    found = []
    if seen["num-other-sentinels"] != len(pair.sentinels) - 1 or seen["num-slaves"] < len(pair.nodes) - 1:
        found.append("does not see all its peers and replicas yet")
    if seen["is_odown"] or seen["is_sdown"] or "failover_in_progress" in seen["flags"]:
        found.append("still reports a failure or failover")
    return found


def empty(folder: Path) -> None:
    """Remove everything in ``folder``: a node that starts there starts as a new one."""
    for leftover in folder.glob("*"):
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()


@dataclass
class RedisNode(Daemon):
    pair: Pair = CACHE

    def prepare(self) -> None:
        conf = self.folder / "redis.conf"
        if conf.exists():
            self._rejoin_as_replica(conf)
            self._log_in(conf)
            return
        lines = [
            "bind 127.0.0.1", f"port {ENDPOINTS[self.name].bound_port}", "daemonize no",
            f'dir "{self.folder}"', 'logfile ""',
            "repl-diskless-sync yes", "repl-diskless-sync-delay 0",  # else a replica's first sync waits 5 s
            *self.pair.settings,
        ]
        if self.name != self.pair.nodes[0]:
            host, port = ENDPOINTS[self.pair.nodes[0]].address
            lines.append(f"replicaof {host} {port}")
        accounts.write(conf, "\n".join(lines) + "\n")
        self._log_in(conf)

    def _log_in(self, conf: Path) -> None:
        """The pair's users and the replica's login, written anew at every start: a config
        rewritten by Redis, or written before the pair had users, gets them too."""
        if not self.pair.logins:
            return
        keep = [l for l in conf.read_text().splitlines() if not l.startswith(("user ", "masteruser ", "masterauth "))]
        accounts.write(conf, "\n".join(keep + redis_users.node_config()) + "\n", 0o600)

    def _rejoin_as_replica(self, conf) -> None:
        """A node restarted after Sentinel promoted another comes back as its replica, as a replaced
        ElastiCache node does, never as a second primary (its config still says primary)."""
        primary = primary_address(self.pair)
        if primary is None or node_at(primary, self.pair) == self.name:
            return
        lines = [l for l in conf.read_text().splitlines() if not l.startswith(("replicaof ", "slaveof "))]
        accounts.write(conf, "\n".join(lines + [f"replicaof {primary[0]} {primary[1]}"]) + "\n")

    def argv(self) -> list[str]:
        return [binaries.find("redis-server"), str(self.folder / "redis.conf")]

    def ready(self) -> bool:
        return _ping(self.name)


@dataclass
class Sentinel(Daemon):
    pair: Pair = CACHE

    def prepare(self) -> None:
        conf = self.folder / "sentinel.conf"
        if not conf.exists():
            accounts.write(conf, self._first_config())
        if self.pair.logins:
            keep = [l for l in conf.read_text().splitlines() if not l.startswith("sentinel auth-")]
            accounts.write(conf, "\n".join(keep + redis_users.sentinel_config(self.pair.master)) + "\n", 0o600)

    def _first_config(self) -> str:
        name = self.pair.master
        host, port = ENDPOINTS[self.pair.nodes[0]].address
        lines = [
            "bind 127.0.0.1", f"port {ENDPOINTS[self.name].bound_port}", "daemonize no",
            f'dir "{self.folder}"', 'logfile ""', f"sentinel myid {sentinel_id(self.name)}",
            f"sentinel monitor {name} {host} {port} {QUORUM}",
            f"sentinel down-after-milliseconds {name} {self.pair.down_after_ms}",
            f"sentinel failover-timeout {name} {self.pair.failover_timeout_ms}",
            f"sentinel parallel-syncs {name} 1",
        ]
        # Pre-seeded peers: otherwise Sentinels only learn of each other from 2-second hello messages.
        lines += [f"sentinel known-sentinel {name} 127.0.0.1 {ENDPOINTS[o].bound_port} {sentinel_id(o)}"
                  for o in self.pair.sentinels if o != self.name]
        lines += [f"sentinel known-replica {name} {ENDPOINTS[n].host} {ENDPOINTS[n].bound_port}"
                  for n in self.pair.nodes[1:]]
        return "\n".join(lines) + "\n"

    def argv(self) -> list[str]:
        return [binaries.find("redis-server"), str(self.folder / "sentinel.conf"), "--sentinel"]

    def ready(self) -> bool:
        try:
            return bool(client(self.name).sentinel_master(self.pair.master))
        except redis.RedisError:
            return False


class StandaloneRedis(Daemon):
    """A lone Redis a lab starts, resizes and throws away: no replica, no snapshots, empty at start."""

    def prepare(self) -> None:
        empty(self.folder)
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
] + [StandaloneRedis(n, binds=(n,), optional=True) for n in STANDALONE] + [
    RedisNode(n, binds=(n,), optional=True, pair=MEMORYDB) for n in MEMORYDB.nodes
] + [Sentinel(s, binds=(s,), after=MEMORYDB.nodes, optional=True, pair=MEMORYDB) for s in MEMORYDB.sentinels]
