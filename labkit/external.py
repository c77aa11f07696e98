"""Which servers labkit did not start, and so must never start, stop, reconfigure or heal.

The labs run against the local cloud, against ``docker compose``, against servers a reader
already has, or against Aurora and ElastiCache. Each AWS resource the course plays is one group
of endpoints (the Aurora PostgreSQL cluster: its writer and reader endpoints, its instances,
failover agents and proxy), and a group is *external* as a whole, as its client endpoint (the
anchor) decides: an address on another host, or a local port where a server of the expected kind
answers and no daemon of this state folder listens. A local port where nothing answers is the
course's to fill, so moving an endpoint to a free port (``LABKIT_PG_WRITER=127.0.0.1:25432``)
still starts the course's own server there, and a port held by anything else is in the way.
"""
from __future__ import annotations

import os

from labkit import kinds, procs
from labkit.endpoints import ENDPOINTS

# anchor endpoint: (labkit daemon that serves it locally, name prefixes of the group's endpoints)
GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pg-writer": ("haproxy", ("pg-", "patroni", "etcd")),
    "mysql-writer": ("mysql-writer", ("mysql-",)),
    "redis-primary": ("haproxy", ("redis-",)),
    "memcached1": ("memcached1", ()),
    "memcached2": ("memcached2", ()),
    "memorydb-sentinel1": ("memorydb-sentinel1", ("memorydb-",)),  # its clients ask the Sentinels
}


def anchor(name: str) -> str | None:
    """The client endpoint that decides for endpoint ``name``; None for labkit's own plumbing
    (HAProxy's runtime API, the session lab's web apps), which is always local."""
    if name in GROUPS:
        return name
    return next((a for a, (_, prefixes) in GROUPS.items() if name.startswith(prefixes)), None)


def decides(anchor_name: str) -> bool:
    """Whether the group of ``anchor_name`` is external now."""
    ep = ENDPOINTS[anchor_name]
    if not ep.is_local():
        return True
    owner, _ = GROUPS[anchor_name]
    if procs.listening(owner, ep.bound_port):
        return False
    return kinds.answers(ep.address, kinds.expected(anchor_name))


def outside() -> set[str]:
    """The anchors of every group that is external now (at most one probe each)."""
    return {a for a in GROUPS if decides(a)}


def is_external(name: str) -> bool:
    """Whether endpoint ``name`` belongs to a server labkit did not start."""
    group = anchor(name)
    return group is not None and decides(group)


def provided(anchor_name: str) -> list[str]:
    """The endpoints an external group offers clients: its anchor, those the environment names,
    and, when the group sits at the course's own addresses (docker compose), those that answer."""
    at_default = not os.environ.get(ENDPOINTS[anchor_name].env_var)
    found = []
    for ep in ENDPOINTS.values():
        if anchor(ep.name) != anchor_name or not ep.public or ep.on_demand:
            continue
        if (ep.name == anchor_name or os.environ.get(ep.env_var)
                or at_default and kinds.answers(ep.address, kinds.expected(ep.name))):
            found.append(ep.name)
    return found


def listing(anchors: set[str]) -> str:
    """The external groups ``anchors``, in the order of GROUPS, for a message."""
    return "; ".join(describe(a) for a in GROUPS if a in anchors)


def describe(name: str) -> str:
    """Where the external server behind ``name`` is, for a message."""
    group = anchor(name) or name
    host, port = ENDPOINTS[group].address
    return f"{group} at {host}:{port} ({ENDPOINTS[group].aws_role})"
