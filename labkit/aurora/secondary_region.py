"""A second "Region" for the PostgreSQL cluster, as Aurora Global Database adds one.

The secondary is a standalone PostgreSQL streaming replica outside Patroni, on the
``pg-secondary`` endpoint, cloned from the writer with ``pg_basebackup``. It streams the writer's
WAL through a relay on the ``region-relay`` endpoint that holds every byte for a one-way delay:
the distance between two Regions, which a kernel without ``tc netem`` cannot add otherwise.
Promoting it makes a writable server of its own; it never joins the shared cluster, so the
cluster keeps its writer whatever happens to the secondary.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import psycopg

from labkit import accounts, credentials, paths, poll, procs
from labkit.aurora import pitr
from labkit.endpoints import ENDPOINTS
from labkit.relay import Relay

SECONDARY = "pg-secondary"
RELAY = "region-relay"
_relays: list[Relay] = []  # the relay of the running secondary, in this process


class SecondaryFailed(poll.TimedOut):
    """The secondary did not start or stream; the message names its log."""


def data_dir() -> Path:
    return paths.state_dir() / "secondary-region"


def standby_conf(data: Path, port: int, relay: tuple[str, int], password: str) -> str:
    """Settings appended to the clone's postgresql.auto.conf: a server of its own that streams
    from the writer through the relay at ``relay`` (host, port)."""
    host, relay_port = relay
    conninfo = (f"host={host} port={relay_port} user=replicator password={password} "
                f"application_name=secondary-region sslmode=require")
    settings = {**pitr.own_server_settings(data, port, "secondary-region"),
                "primary_conninfo": conninfo, "hot_standby": "on",
                # the clone carries the writer's postgresql.conf, where Patroni left the slot the
                # writer used when it was a replica: the secondary takes none of the cluster's slots
                "primary_slot_name": "",
                "wal_retrieve_retry_interval": "200ms"}  # reconnect (or notice a promotion) soon after a cut
    return pitr.auto_conf_block("secondary Region (labkit.aurora.secondary_region)", settings)


def start(delay: float, timeout: float = 60.0) -> Relay:
    """Clone the writer into a new secondary on ``pg-secondary`` that streams through a relay
    with a one-way ``delay`` in seconds; returns the relay once the secondary streams."""
    stop()
    relay = Relay(RELAY, ENDPOINTS["pg-writer"].address, delay)
    _relays.append(relay)
    data = pitr.base_backup(data_dir().name)
    endpoint = ENDPOINTS[SECONDARY]
    auto_conf = data / "postgresql.auto.conf"
    accounts.write(auto_conf, auto_conf.read_text() + standby_conf(
        data, endpoint.bound_port, relay.address, credentials.local()["pg_replication"]), 0o600)
    accounts.write(data / "standby.signal", "", 0o600)
    log = procs.log_file(SECONDARY)
    # HOME: libpq in the WAL receiver looks for a client certificate under ~/.postgresql
    pitr.run_as_daemon(pitr.pg_ctl("start", "-D", str(data), "-l", str(log), "-w", "-t", str(int(timeout))),
                       f"starting the secondary (see {log})", env={**os.environ, "HOME": str(data)})
    _wait_streaming(data, endpoint.bound_port, timeout, log)
    return relay


def admin() -> psycopg.Connection:
    """A superuser session on the secondary over its local socket (autocommit): promoting a
    server is an administrator's step, which the course's login may not take."""
    return psycopg.connect(host=str(data_dir()), port=ENDPOINTS[SECONDARY].bound_port, user="postgres",
                           dbname="postgres", autocommit=True)


def _wait_streaming(data: Path, port: int, timeout: float, log: Path) -> None:
    def streaming() -> bool:
        with admin() as conn:
            return conn.execute("SELECT status FROM pg_stat_wal_receiver").fetchone() == ("streaming",)

    poll.until(streaming, timeout, "the secondary to stream from the writer", error=SecondaryFailed,
               hint=f"see {log}")


def stop() -> None:
    """Stop the secondary and its relay if they run, and delete its data: the Region is gone."""
    while _relays:
        _relays.pop().close()
    data = data_dir()
    if procs.postmaster_pid(data) is not None:
        pitr.run_as_daemon(pitr.pg_ctl("stop", "-D", str(data), "-m", "immediate", "-w"),
                           "stopping the secondary")
    if data.exists():
        shutil.rmtree(data)
