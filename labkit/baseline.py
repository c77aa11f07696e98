"""The one state every lab starts from, written down in one place: what ``restore()`` puts back
and what ``deviations()`` reports.

A lab changes the cloud on purpose (quorum commit on, WAL archived, a cache filled under an
eviction policy, a reader added, a server of its own started) and undoes it at its end. A lab
stopped halfway (the Stop button, a closed laptop, a killed kernel) leaves its changes behind;
the next lab's first cell, ``./course up`` and the test suite restore this baseline, and
``./course status`` names what differs from it. Only settings change: no data is touched.
Servers labkit did not start (``labkit.external``) have no baseline of the course's: they are
neither inspected nor changed, and the first cell says so.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from labkit import cloud, cluster, external, procs
from labkit.aurora import binlog_replay, pitr, secondary_region
from labkit.cache import clients, health, settings, standalone
from labkit.cache.sessions import app_servers
from labkit.endpoints import ENDPOINTS, PG_EXTRA_NODE, PG_NODES, START_HINT
from labkit.memorydb import pair as memorydb_pair
from labkit.proxy import admin as proxy_admin
from labkit.proxy import secret as proxy_secret
from labkit.proxy import token_proxy
from labkit.security import audit_baseline, relay, scratch_mariadb, stage
from labkit.services import BY_NAME, haproxy, redis_users
from labkit.services.base import accepts
from labkit.services.patroni import audit_library_installed
from labkit.services.redis import NODES as REDIS_NODES
from labkit.services.redis import check_logins

# Patroni's cluster-wide settings that labs change, as every lab expects to find them.
PATRONI = {
    "synchronous_mode": False,          # lab 3 switches quorum commit on
    "pause": False,                     # lab 4's manual failover pauses Patroni
    "postgresql": {"parameters": {"archive_command": pitr.DISCARD,  # lab 6 archives WAL
                                  **audit_baseline.LOG_SETTINGS}},  # lab 19 logs logins and users
}
# Redis settings: labkit.cache.settings.BASELINE, on both nodes of the pair.
# PgBouncer settings the RDS Proxy labs change: labkit.proxy.admin.BASELINE (pgbouncer.ini's values);
# the proxy holds no secret login of a lab's (labkit.proxy.secret: an empty secrets file, no such role).

PG_NODE_NAMES = {f"pg-node{i}" for i in range(1, PG_NODES + 1)}

# Servers a lab starts for itself, by endpoint, with what stops them.
ON_DEMAND: dict[str, Callable[[], None]] = {
    f"pg-node{PG_EXTRA_NODE}": cluster.remove_reader,
    "pg-restore": pitr.stop_restored,
    "mysql-restore": binlog_replay.stop_restore_server,
    **{name: (lambda name=name: standalone.stop(name)) for name in standalone.STANDALONE},
    **{name: app_servers.stop for name in app_servers.INSTANCES},
    **{name: memorydb_pair.stop for name in memorydb_pair.PAIR.nodes + memorydb_pair.PAIR.sentinels},
    "secure-pg": stage.teardown,
    "secure-redis": stage.teardown,
    "secure-mysql": stage.teardown,
    relay.RELAY: relay.close_all,
    **{name: (lambda name=name: scratch_mariadb.stop(name)) for name in scratch_mariadb.SERVERS},
    secondary_region.SECONDARY: secondary_region.stop,
    secondary_region.RELAY: secondary_region.stop,
    token_proxy.NAME: token_proxy.stop,
}


@dataclass(frozen=True)
class Deviation:
    """One way the cloud differs from its baseline."""
    what: str

    def __str__(self) -> str:
        return f"{self.what}: left by a lab; `{START_HINT}` or any lab's first cell restores it"


def _patroni_config() -> dict:
    writer = cluster.writer() or "pg-node1"
    return json.loads(cluster.agent(writer, "/config", "GET", timeout=5))


def _patroni_drift(config: dict) -> dict:
    """The baseline's Patroni settings that ``config`` holds otherwise, as a PATCH body."""
    drift = {key: want for key, want in PATRONI.items()
             if key != "postgresql" and bool(config.get(key, False)) != want}
    shown = config.get("postgresql", {}).get("parameters", {})
    params = {k: v for k, v in PATRONI["postgresql"]["parameters"].items() if shown.get(k, v) != v}
    if params:
        drift["postgresql"] = {"parameters": params}
    return drift


def _describe_patroni(drift: dict, config: dict) -> list[Deviation]:
    found = []
    if "synchronous_mode" in drift:
        found.append(Deviation(f"commits wait for replicas (synchronous_mode: {config['synchronous_mode']})"))
    if "pause" in drift:
        found.append(Deviation("Patroni is paused: no automatic failover"))
    for name in drift.get("postgresql", {}).get("parameters", {}):
        found.append(Deviation(f"{name} is {config['postgresql']['parameters'][name]!r}"))
    return found


def _audit_drift() -> list[Deviation]:
    found = [Deviation(f"role {role} has its own audit level ({settings})")
             for role, settings in audit_baseline.raised().items()]
    if audit_library_installed():
        found += [Deviation(f"{name} has not loaded pgaudit") for name in audit_baseline.without_pgaudit()]
    return found


def _writer_drift() -> list[Deviation]:
    """What the cluster's catalog keeps of a lab (audit levels, the proxy's secret login). A lab
    stopped in the middle of a failover can leave the cluster without a writer for a moment:
    then this says so, and restore() checks again once the cluster is healed."""
    try:
        found = _audit_drift()
        if proxy_secret.held():
            found.append(Deviation(f"the proxy holds a lab's secret login ({', '.join(proxy_secret.ROLES)})"))
    except psycopg.OperationalError as exc:
        return [Deviation(f"the cluster's writer did not answer ({str(exc).strip().splitlines()[0]}), "
                          "so its audit levels and the proxy's login were not checked")]
    return found


def _redis_drift() -> dict[str, dict[str, str]]:
    check_logins()
    return {node: {k: v for k, v in settings.current(clients.redis_at(node, admin=True), settings.BASELINE).items()
                   if v != settings.BASELINE[k]}
            for node in REDIS_NODES}


def _drained() -> list[tuple[str, str]]:
    """(endpoint, node): a node of the cluster that the endpoint keeps in maintenance. (The extra
    node is out of the endpoints until a lab has added it; it counts as running, below.)"""
    return [(listener, name) for listener in haproxy.PG_LISTENERS
            for name, state in haproxy.servers(listener).items()
            if state.startswith(("MAINT", "DRAIN")) and name in PG_NODE_NAMES and BY_NAME[name].running()]


def _proxy_drift() -> dict[str, str]:
    """The PgBouncer settings a lab left changed (none when PgBouncer is down: `up` restarts it
    from its configuration file)."""
    return proxy_admin.drift() if accepts("pg-proxy") else {}


def _own_on_demand(outside: set[str]) -> list[str]:
    """The servers of ON_DEMAND that a lab of this cloud started and left running."""
    return [name for name in ON_DEMAND if external.anchor(name) not in outside and _running(name)]


def deviations(outside: set[str] | None = None) -> list[Deviation]:
    """Everything that differs from the baseline now; empty when nothing does. ``outside``: the
    external groups (labkit.external.outside()), which have no baseline of the course's."""
    outside = external.outside() if outside is None else outside
    found = []
    if "pg-writer" not in outside:
        config = _patroni_config()
        found += _describe_patroni(_patroni_drift(config), config)
        found += [Deviation(f"{name} is out of the {listener} endpoint") for listener, name in _drained()]
        found += _writer_drift()
        found += [Deviation(f"PgBouncer runs with {name} = {value}") for name, value in _proxy_drift().items()]
    if "redis-primary" not in outside:
        found += [Deviation(f"{node} runs with {name} {value}")
                  for node, drift in _redis_drift().items() for name, value in drift.items()]
        found += [Deviation(f"{node} {change}") for node in REDIS_NODES
                  for change in redis_users.drift(clients.redis_at(node, admin=True))]
    found += [Deviation(f"{name} ({ENDPOINTS[name].aws_role}) is running") for name in _own_on_demand(outside)]
    return found


def _running(name: str) -> bool:
    """Whether an on-demand server answers, or its process runs and may answer soon (a reader
    still copying the writer's data, stopped halfway through being added)."""
    return accepts(name) or procs.running(name) is not None


def restore() -> list[Deviation]:
    """Put the whole local cloud back to its baseline and wait until it is healthy; returns what
    had to be put back. Starts whatever is down first; says which servers it leaves alone."""
    cloud.up(echo=lambda *_: None)
    outside = external.outside()
    if outside:
        print("External servers, used as they are (labkit starts, stops and changes none of them): "
              + external.listing(outside))
    found = deviations(outside)
    for name in _own_on_demand(outside):
        ON_DEMAND[name]()
    drift = {} if "pg-writer" in outside else _patroni_drift(_patroni_config())
    if drift:
        cluster.patch_config(drift)
    cluster.heal()  # also brings drained nodes back into the endpoints
    if "pg-writer" not in outside:
        audit_baseline.reset()
        if audit_library_installed():
            audit_baseline.load()  # once, on a cluster started before pgaudit was installed
    if "synchronous_mode" in drift:
        cluster.set_quorum_commit(False)  # waits until the writer commits alone again
    health.heal()  # resets every Redis setting of settings.BASELINE
    if "pg-writer" not in outside and _proxy_drift():
        proxy_admin.reset()  # pgbouncer.ini's values again, and server connections without a lab's state
    if "pg-writer" not in outside and proxy_secret.held():
        proxy_secret.forget()
    return found
