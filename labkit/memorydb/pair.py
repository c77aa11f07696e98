"""The MemoryDB labs' own Redis pair: a primary, its replica and three Sentinels that promote the
replica when the primary is lost.

``start`` brings the pair up empty (node 1 primary, node 2 its replica) and ``stop`` stops it;
``running`` does both around a block. ``lose_primary`` loses the primary as a machine is lost: its
redis-server is killed with ``kill -9`` and its data folder discarded, so nothing it wrote to its
own disk (an append-only file included) can come back. ``replace`` starts a new, empty node in its
place, which joins as a replica of the node Sentinel promoted. The pair has its own ports, folders
and Sentinel master name, so the shared pair of the ElastiCache labs is never touched.
"""
from __future__ import annotations

import atexit
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import redis

from labkit import accounts, external, poll, procs
from labkit.cache import failover, settings
from labkit.cache.clients import redis_at
from labkit.endpoints import ENDPOINTS, ServiceUnavailable
from labkit.services import BY_NAME
from labkit.services.base import Daemon
from labkit.services.redis import MEMORYDB, empty, node_at, replicating, sentinel_unsettled

PAIR = MEMORYDB
CONFIG = "redis.conf"  # what a replacement node keeps: its configuration, not its data
_stop_at_exit: list[bool] = []
ANCHOR = "memorydb-sentinel1"  # the endpoint that decides whether the pair's addresses are labkit's
OWN_PAIR = ("The MemoryDB labs' subject is a Redis pair they reconfigure, crash and replace, which no "
            "managed service lets a client do, so this lab starts a pair of its own on this machine and "
            "leaves the servers you pointed the labs at alone; on AWS, the failover you may ask of "
            "MemoryDB is `aws memorydb failover-shard --cluster-name NAME --shard-name 0001`.")


class PairUnhealthy(poll.TimedOut):
    """The MemoryDB pair did not settle in time; the message says what was still wrong."""


def daemons() -> list[Daemon]:
    return [BY_NAME[name] for name in PAIR.nodes + PAIR.sentinels]


def sentinel_addresses() -> list[tuple[str, int]]:
    """(host, port) of the pair's Sentinels: what a Sentinel-aware client is given."""
    return [ENDPOINTS[name].address for name in PAIR.sentinels]


def node(name: str) -> redis.Redis:
    """A direct client of one node of the pair (not through Sentinel)."""
    if name not in PAIR.nodes:
        raise KeyError(f"{name!r} is not a node of the MemoryDB pair; use one of {', '.join(PAIR.nodes)}")
    return redis_at(name)


def primary() -> str:
    """The node the pair's Sentinels name as primary."""
    return failover.primary_node(PAIR)


def other(name: str) -> str:
    """The pair's node that is not ``name``."""
    return next(n for n in PAIR.nodes if n != name)


def problems() -> list[str]:
    """What keeps the pair from being healthy now; empty when it is."""
    try:
        current = primary()
        replica = other(current)
        found = []
        if node(current).role()[0] != "master":
            found.append(f"{current} is named primary but is not one yet")
        if not replicating(node(replica).info("replication")):
            found.append(f"{replica} does not replicate from {current} yet")
        elif not _confirms(node(current)):
            found.append(f"{replica} does not confirm {current}'s writes yet")
        run_id = node(replica).info("server")["run_id"]
        for name in PAIR.sentinels:
            sentinel = redis_at(name)
            found += [f"{name} {problem}" for problem in sentinel_unsettled(sentinel.sentinel_master(PAIR.master), PAIR)]
            if not _checked(sentinel.sentinel_slaves(PAIR.master), replica, run_id):
                found.append(f"{name} has not yet seen {replica} up as it runs now")
        return found
    except (redis.RedisError, ConnectionError, LookupError) as exc:
        return [f"a node of the pair does not answer as expected yet: {exc}"]


def _confirms(primary: redis.Redis) -> bool:
    """Whether a replica confirms the primary's writes (WAIT) now. After its first synchronisation a
    replica can report its link up before the primary streams writes to it, which the primary does
    only once the replica has acknowledged the snapshot, up to a second later. A PUBLISH goes down
    the replication stream like a write but changes no key."""
    pipe = primary.pipeline(transaction=False)
    pipe.publish("labkit:health", "ping")
    pipe.wait(1, 100)
    return pipe.execute()[1] >= 1


def _checked(replicas: list[dict], name: str, run_id: str) -> bool:
    """Whether a Sentinel's view of the replicas shows ``name`` reachable, not down, and as the
    process that runs now (a replaced node has a new run id). A Sentinel that has not asked the
    new process yet would refuse to promote it, and an aborted failover makes the Sentinels wait
    twice the failover-timeout before they try again."""
    return any(node_at((seen["ip"], seen["port"]), PAIR) == name and seen["runid"] == run_id
               and not seen["is_sdown"] and not seen["is_disconnected"] for seen in replicas)


def wait_healthy(timeout: float = 30.0) -> float:
    """Wait until the pair is settled; return how long that took."""
    t0 = time.monotonic()
    poll.until(lambda: not problems(), timeout, "a healthy MemoryDB pair", interval=0.05, error=PairUnhealthy,
               hint=lambda: "; ".join(problems()))
    return time.monotonic() - t0


def start(timeout: float = 30.0) -> None:
    """Start the pair empty (stopping what an earlier run left) and wait until it is settled. It is
    also stopped when this Python process exits, so a lab that stops at a failing cell does not
    leave it running. Where the labs run against servers labkit did not start, say that this pair
    is labkit's own; where its own addresses answer as servers labkit did not start, refuse."""
    if external.is_external(ANCHOR):
        raise ServiceUnavailable(
            f"the MemoryDB labs start a Redis pair of their own, but {external.describe(ANCHOR)} is a "
            f"server labkit did not start: point {ENDPOINTS[ANCHOR].env_var} and the other "
            f"LABKIT_MEMORYDB_* variables at free ports")
    if external.outside():
        print(OWN_PAIR)
    stop()
    for daemon in daemons():
        empty(daemon.folder)
    nodes, sentinels = daemons()[:len(PAIR.nodes)], daemons()[len(PAIR.nodes):]
    for group in (nodes, sentinels):
        for daemon in group:
            daemon.start()
        for daemon in group:
            daemon.wait_started(timeout)
    if not _stop_at_exit:
        atexit.register(stop)
        _stop_at_exit.append(True)
    wait_healthy(timeout)


def stop() -> None:
    """Stop the pair's nodes and Sentinels."""
    for daemon in daemons():
        daemon.stop()


@contextmanager
def running(timeout: float = 30.0) -> Iterator[None]:
    """The pair, started empty for the block and stopped after it, whatever happens inside."""
    start(timeout)
    try:
        yield
    finally:
        stop()


def patience(down_after_ms: int) -> None:
    """Tell every Sentinel to wait ``down_after_ms`` of silence before it suspects a node, for as
    long as the pair runs (``start`` writes fresh configurations)."""
    for name in PAIR.sentinels:
        redis_at(name).sentinel_set(PAIR.master, "down-after-milliseconds", down_after_ms)


def reset() -> None:
    """Both nodes back to the pair's baseline: no append-only file, fsync every second."""
    for name in PAIR.nodes:
        settings.reset(node(name))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # free again once the socket closes: nothing listens there


def cut_link(replica: str) -> None:
    """The replica stops receiving the primary's writes, as when the network between two zones
    fails: it is pointed at a local port nothing listens on, so it keeps its data and gets
    nothing more. Sentinel corrects such a replica only once the primary has looked healthy for its
    failover-timeout (3 s), longer than the cut lasts before the primary is lost."""
    node(replica).replicaof("127.0.0.1", _closed_port())


@dataclass(frozen=True)
class Loss:
    node: str             # the primary that was lost
    link_cut_at: float | None  # time.monotonic() when its replica stopped receiving (None: not cut)
    crashed_at: float     # time.monotonic() of the kill -9


def lose_primary(cut_s: float = 0.0) -> Loss:
    """Lose the primary as a machine is lost: kill -9 its redis-server and discard its data
    folder (its append-only file and snapshots; the configuration a replacement needs stays).
    With ``cut_s`` > 0 the replica's link is cut that many seconds before."""
    lost = primary()
    cut_at = None
    if cut_s > 0:
        cut_link(other(lost))
        cut_at = time.monotonic()
        time.sleep(cut_s)
    procs.kill_child(lost)
    crashed_at = time.monotonic()
    folder = BY_NAME[lost].folder
    config = (folder / CONFIG).read_text()
    empty(folder)
    accounts.write(folder / CONFIG, config)
    return Loss(lost, cut_at, crashed_at)


def replace(lost: str, timeout: float = 30.0) -> float:
    """Start a new node where ``lost`` was: empty, a replica of the primary Sentinel chose. Return
    the seconds until the pair was settled again."""
    t0 = time.monotonic()
    daemon = BY_NAME[lost]
    procs.stop(lost)  # the supervisor of a killed node exits with it; this tidies its pid files
    daemon.start()  # its config still names it primary: start() makes it a replica of the new one
    daemon.wait_started(timeout)
    wait_healthy(timeout)
    return time.monotonic() - t0
