"""The PostgreSQL cluster as a lab sees it: who is the writer, crash it, wait for the new one, heal.

Patroni's REST API is the source of truth; the operations here are what Aurora does to an
instance, done to a local node (``kill -9`` of the postmaster, or of the whole node). A cluster
labkit did not start is only looked at, through its instance endpoints (``labkit.instances``).
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from labkit import cloud, db, external, instances, poll, procs
from labkit.endpoints import ENDPOINTS, PG_EXTRA_NODE, PG_NODES, START_HINT, ServiceUnavailable
from labkit.instances import Node
from labkit.services import BY_NAME, haproxy
from labkit.services.patroni import DCS_SETTINGS, FAILOVER_BOUND_S, NAMESPACE, SCOPE, api_url, writer_session
from labkit.services.base import http_json
from labkit.status import pg_members


class ClusterUnhealthy(RuntimeError):
    """The cluster is not in the state an operation needs."""


class ClusterTimedOut(ClusterUnhealthy, poll.TimedOut):
    """The cluster did not reach the expected state in time."""


def topology() -> list[Node]:
    """The cluster's nodes as Patroni lists them (as the instances answer, on a cluster labkit did
    not start); ``print(*topology(), sep="\n")`` shows one per line."""
    if external.is_external("pg-writer"):
        return instances.topology()
    members = pg_members()
    return [Node(f"pg-node{i}",
                 "writer" if members.get(f"pg-node{i}", {}).get("role") == "leader" else
                 ("reader" if f"pg-node{i}" in members else "down"),
                 members.get(f"pg-node{i}", {}).get("state", "stopped"),
                 members.get(f"pg-node{i}", {}).get("lag"))
            for i in range(1, PG_EXTRA_NODE + 1) if i <= PG_NODES or f"pg-node{i}" in members]


def instance_endpoints() -> list[str]:
    """The instance endpoints (pg-node1, ...) of the nodes that run now, as Aurora lists a
    cluster's instances (``DBClusterMembers``): which of them is the writer is the server's to say."""
    return [m.name for m in topology() if m.role != "down"]


def writer() -> str | None:
    return next((m.name for m in topology() if m.role == "writer" and m.state == "running"), None)


def routes() -> dict[str, set[str]]:
    """The nodes each endpoint (HAProxy) sends new connections to now."""
    return haproxy.routed(*haproxy.PG_LISTENERS)


def endpoints_follow(nodes: list[Node]) -> bool:
    """Whether the writer endpoint leads to the writer alone and the reader endpoint to every
    streaming reader and nothing else. HAProxy learns a change at its next checks (200 ms
    apart), so right after a node changed role the endpoints may still disagree for a moment."""
    try:
        now = routes()
    except ServiceUnavailable:
        return False
    return (now["pg-writer"] == {m.name for m in nodes if m.role == "writer"}
            and now["pg-reader"] == {m.name for m in nodes if m.state == "streaming"})


def healthy(max_lag_bytes: int | None = None) -> bool:
    """One running writer, every reader streaming from it, and the endpoints routing to them;
    with ``max_lag_bytes``, also no reader further behind than that.

    A reader that merely runs (restarted, not yet following the writer's timeline) does not count.
    """
    nodes = topology()
    readers = [m for m in nodes if m.role != "writer"]
    caught_up = max_lag_bytes is None or all(
        isinstance(m.lag_bytes, int) and m.lag_bytes <= max_lag_bytes for m in readers)
    return (sum(m.role == "writer" and m.state == "running" for m in nodes) == 1
            and all(m.state == "streaming" for m in readers) and caught_up
            and endpoints_follow(nodes))


NO_AGENT_GRACE = 5.0  # seconds without any Patroni answering before we say the cloud is not running


def wait_healthy(timeout: float = 60.0) -> None:
    """Wait until there is one writer and every reader is close enough to take over (Patroni's
    ``maximum_lag_on_failover``), and the endpoints route to them."""
    if external.is_external("pg-writer"):
        instances.wait_healthy(timeout)
        return
    t0 = time.monotonic()

    def settled() -> bool:
        if healthy(max_lag_bytes=DCS_SETTINGS["maximum_lag_on_failover"]):
            return True
        if not pg_members() and time.monotonic() - t0 > NO_AGENT_GRACE:
            raise ClusterUnhealthy(f"no node of the PostgreSQL cluster answers: start the local cloud "
                                   f"with `{START_HINT}`")
        return False

    poll.until(settled, timeout, "a healthy cluster", interval=0.2, error=ClusterTimedOut,
               hint=lambda: f"{topology()}; endpoints route to {_routes_or_why()}; "
                            f"`{START_HINT}` restarts what is down")


def _routes_or_why() -> object:
    try:
        return routes()
    except ServiceUnavailable as exc:
        return exc


def crash_writer(whole_node: bool = False) -> str:
    """``kill -9`` the writer's postmaster (or, with ``whole_node``, its Patroni agent too).

    A postmaster crash is noticed by Patroni within a loop (1 s); a whole-node crash only when the
    leader lease expires (ttl 20 s), as a real machine failure would be. It waits first for a
    cluster that can fail over (every reader streaming), since otherwise Patroni, finding no
    candidate, restarts the crashed writer in place.
    """
    wait_healthy()
    name = writer()
    if name is None:
        raise ClusterUnhealthy(f"there is no writer to crash; run `{START_HINT}` first")
    return crash_node(name, whole_node)


def crash_node(name: str, whole_node: bool = False) -> str:
    """``kill -9`` node ``name``'s postmaster (with ``whole_node``, its Patroni agent too)."""
    daemon = BY_NAME[name]
    if whole_node:
        agent = procs.running(name)
        if agent is not None:
            agent.kill()
        procs.kill_child(name)
    pid = procs.postmaster_pid(daemon.data_dir)
    if pid is not None:
        os.kill(pid, signal.SIGKILL)
    return name


def wait_for_new_writer(old: str, timeout: float = FAILOVER_BOUND_S) -> tuple[str, float]:
    """Wait until a node other than ``old`` is the running writer; return it and the seconds waited.
    The default bound follows from Patroni's lease (``FAILOVER_BOUND_S``)."""
    t0 = time.monotonic()
    new = poll.until(lambda: (now := writer()) != old and now, timeout, f"a writer other than {old}",
                     interval=0.05, error=ClusterTimedOut, hint=lambda: str(topology()))
    return new, time.monotonic() - t0


def agent_url(name: str, path: str = "") -> str:
    """The address of node ``name``'s Patroni REST API (``http://127.0.0.1:port``), plus ``path``."""
    return api_url(int(name.removeprefix("pg-node")), path)


def agent(name: str, path: str, method: str = "POST", body: dict | None = None,
          timeout: float = 60.0) -> str:
    """Send one request to the Patroni agent of node ``name``; a refusal or silence says why."""
    request = urllib.request.Request(agent_url(name, path), data=json.dumps(body or {}).encode(),
                                     method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.read().decode().strip()
    except urllib.error.HTTPError as err:
        raise ClusterUnhealthy(f"Patroni of {name} refused {method} {path}: "
                               f"{err.code} {err.read().decode().strip()}") from None
    except OSError as exc:
        raise ClusterUnhealthy(f"Patroni of {name} does not answer ({exc}); run `{START_HINT}`") from None


def member(name: str) -> dict:
    """Patroni's view of one node: role, state, postmaster_start_time, pending_restart, pause."""
    status, body = http_json(api_url(int(name.removeprefix("pg-node")), "/patroni"), timeout=2.0)
    if status not in (200, 503):
        raise ClusterUnhealthy(f"Patroni of {name} does not answer; run `{START_HINT}`")
    return body


def patch_config(change: dict) -> None:
    """Change the cluster-wide settings Patroni keeps in etcd, through any agent that answers."""
    problems = []
    for node in topology():
        try:
            agent(node.name, "/config", "PATCH", change, timeout=5)
            return
        except ClusterUnhealthy as exc:  # this agent is down: any other one can change the shared config
            problems.append(str(exc))
    raise ClusterUnhealthy("no Patroni agent accepted the change: " + "; ".join(problems))


def wait_for(check, what: str, timeout: float, hint: str = "") -> float:
    """Wait until ``check()`` is true; return the seconds waited. A timeout shows the topology."""
    t0 = time.monotonic()
    poll.until(check, timeout, what, error=ClusterTimedOut,
               hint=lambda: "; ".join(filter(None, [str(topology()), hint])))
    return time.monotonic() - t0


def switchover(candidate: str, timeout: float = 60.0) -> str:
    """A planned switchover (Aurora's failover-db-cluster): hand the writer role to ``candidate``
    and wait for a healthy cluster; Patroni restarts the old writer as a replica. Returns it."""
    old = writer()
    if old is None:
        raise ClusterUnhealthy(f"the cluster has no writer to switch over from; run `{START_HINT}`")
    agent(old, "/switchover", body={"leader": old, "candidate": candidate}, timeout=timeout)
    wait_for(lambda: writer() == candidate and healthy(), f"{candidate} as the writer", timeout)
    return old


def restart(name: str, timeout: float = 60.0) -> None:
    """Restart one node's PostgreSQL through Patroni and wait until it runs (or streams) again."""
    before = member(name).get("postmaster_start_time")
    agent(name, "/restart", timeout=timeout)
    wait_restarted(name, before, timeout)


def wait_restarted(name: str, before: str | None, timeout: float = 60.0) -> float:
    """Wait until node ``name`` runs a postmaster started after ``before`` (its
    ``postmaster_start_time`` then): restarted, by Patroni or on request."""
    return wait_for(lambda: member(name).get("postmaster_start_time") != before
                    and any(m.name == name and m.state in ("running", "streaming") for m in topology()),
                    f"{name} running again after its restart", timeout)


def synchronous_standby_names() -> str:
    """The writer's current synchronous_standby_names ('' when commits are asynchronous); of a
    cluster labkit did not start, as the course's login reads it."""
    if external.is_external("pg-writer"):
        with db.engine("pg-writer", poolclass=sa.pool.NullPool).connect() as conn:
            return conn.exec_driver_sql("SHOW synchronous_standby_names").scalar()
    with writer_session() as conn:
        return conn.execute("SHOW synchronous_standby_names").fetchone()[0]


def set_quorum_commit(on: bool, timeout: float = 30.0) -> str:
    """Switch Patroni's quorum commit on (``ANY 1 (replicas)``, Aurora's "acknowledge after a
    quorum" in miniature) or off (asynchronous replication), and wait until the writer applies it.

    Patroni sets ``synchronous_standby_names`` about a second after the change; a durability
    experiment must not start before that. Returns the setting in force.
    """
    patch_config({"synchronous_mode": "quorum", "synchronous_node_count": 1} if on
                  else {"synchronous_mode": False})

    def applied() -> tuple[str] | None:
        names = synchronous_standby_names()
        return (names,) if names.startswith("ANY") == on else None

    return poll.until(applied, timeout, "the writer to apply quorum commit " + ("on" if on else "off"),
                      error=ClusterTimedOut,
                      hint=lambda: f"synchronous_standby_names is {synchronous_standby_names()!r}")[0]


@contextmanager
def quorum_commit(on: bool) -> Iterator[str]:
    """Quorum commit on or off for the block (``set_quorum_commit``); asynchronous commit, the
    baseline, again when the block ends, however it ends (an error, the Stop button)."""
    try:
        yield set_quorum_commit(on)
    finally:
        patch_config({"synchronous_mode": False})


def add_reader(timeout: float = 90.0) -> str:
    """Start the extra node: it clones the writer and joins the reader endpoint ("push-button scaling").

    Returns its name once Patroni reports it streaming.
    """
    daemon = BY_NAME[f"pg-node{PG_EXTRA_NODE}"]
    if not daemon.running():
        daemon.start()
    wait_for(lambda: any(m.name == daemon.name and m.state == "streaming" for m in topology()),
             f"{daemon.name} to stream", timeout, hint=f"see {procs.log_file(daemon.name)}")
    undrain(daemon.name)
    return daemon.name


def drain(name: str, listeners: tuple[str, ...] = haproxy.PG_LISTENERS, timeout: float = 10.0) -> int:
    """Take node ``name`` out of the endpoints before it leaves on purpose: no new connection goes
    there, open ones get ``timeout`` seconds to finish, then the rest are closed (as AWS closes
    the connections of an instance it removes). Returns how many had to be closed."""
    for listener in listeners:
        haproxy.drain(listener, name)
    deadline = time.monotonic() + timeout
    while (left := sum(haproxy.sessions(l)[name] for l in listeners)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for listener in listeners:
        haproxy.disable(listener, name)  # and closes what is still open
    return left


@contextmanager
def drained(name: str, listeners: tuple[str, ...] = haproxy.PG_LISTENERS) -> Iterator[int]:
    """Node ``name`` out of the endpoints for the block (``drain``), back in when it ends, however
    it ends; HAProxy then sends it connections again once a check passes."""
    try:
        yield drain(name, listeners)
    finally:
        _back_in(name, listeners)


def _back_in(name: str, listeners: tuple[str, ...]) -> None:
    for listener in listeners:
        haproxy.enable(listener, name)


def undrain(name: str, listeners: tuple[str, ...] = haproxy.PG_LISTENERS, timeout: float = 10.0) -> None:
    """Let the endpoints use node ``name`` again, and wait until they follow Patroni's view."""
    _back_in(name, listeners)
    wait_for(lambda: endpoints_follow(topology()), f"the endpoints routing to {name} again", timeout)


def forget_member(name: str) -> None:
    """Delete a stopped node's member key in etcd, instead of waiting for its lease (ttl) to expire."""
    key = base64.b64encode(f"{NAMESPACE}{SCOPE}/members/{name}".encode()).decode()
    request = urllib.request.Request(f"http://127.0.0.1:{ENDPOINTS['etcd'].bound_port}/v3/kv/deleterange",
                                     data=json.dumps({"key": key}).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=5):
        return


def remove_reader(timeout: float = 60.0) -> None:
    """Take the extra node out of the endpoints, stop it and delete its data, so the cluster is
    back to three nodes and no client is sent to a node that is gone."""
    daemon = BY_NAME[f"pg-node{PG_EXTRA_NODE}"]
    drain(daemon.name)
    daemon.stop()
    shutil.rmtree(daemon.data_dir, ignore_errors=True)
    forget_member(daemon.name)
    wait_for(lambda: all(m.name != daemon.name for m in topology()),
             f"Patroni to stop listing {daemon.name}", timeout)


def reset_endpoints() -> None:
    """Every running node back in the endpoints (a lab stopped while a node was drained leaves
    it out), the extra node out of them while it is not running."""
    for i in range(1, PG_EXTRA_NODE + 1):
        name = f"pg-node{i}"
        for listener in haproxy.PG_LISTENERS:
            (haproxy.enable if BY_NAME[name].running() else haproxy.disable)(listener, name)


REJOIN_GRACE = 45.0  # seconds a node may take to rejoin by itself before heal() rebuilds it


def heal(timeout: float = 120.0) -> None:
    """Restart whatever is down (the old writer rejoins as a reader) and wait for a healthy cluster.

    A crashed writer normally rejoins by itself (Patroni rewinds it). One that stays out, stuck in
    recovery on a diverged timeline, is rebuilt from the writer with Patroni's reinitialize, as
    Aurora replaces an instance that cannot recover.
    """
    cloud.up(timeout=timeout, echo=lambda *_: None)
    if external.is_external("pg-writer"):
        return  # its operator heals it: labkit never restarts or rebuilds a server it did not start
    reset_endpoints()
    try:
        wait_healthy(REJOIN_GRACE)
        return
    except ClusterUnhealthy:
        stuck = [m.name for m in topology() if m.role != "writer" and m.state != "streaming"]
    for name in stuck:
        agent(name, "/reinitialize", body={"force": True}, timeout=30)
    wait_healthy(timeout)
