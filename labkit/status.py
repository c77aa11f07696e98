"""One table of the local cloud: service, AWS role, endpoint, role, healthy, replica lag.

A server labkit did not start (``labkit.external``) shows as "external", healthy when a server of
the expected kind answers there: labkit has no agent on it to ask for roles or lag.
"""
from __future__ import annotations

from dataclasses import dataclass

import psycopg
import pymysql
import redis

from labkit import credentials, external, kinds, poll
from labkit.endpoints import ENDPOINTS, PG_EXTRA_NODE, PG_NODES
from labkit.services import mariadb, memcached, patroni
from labkit.services import redis as redis_svc
from labkit.services.base import http_json


@dataclass
class Row:
    service: str
    role: str = "-"
    healthy: bool = False
    lag: str = "-"

    @property
    def aws_role(self) -> str:
        return ENDPOINTS[self.service].aws_role

    @property
    def endpoint(self) -> str:
        host, port = ENDPOINTS[self.service].address
        return f"{host}:{port}"


def pg_members() -> dict[str, dict]:
    """Patroni's view of the cluster: member name -> {role, state, lag (bytes)}."""
    for i in range(1, PG_NODES + 1):
        status, body = http_json(patroni.api_url(i, "/cluster"), timeout=2.0)
        if status == 200:
            return {m["name"]: m for m in body.get("members", [])}
    return {}


def pg_rows() -> list[Row]:
    """The PostgreSQL cluster's rows: its endpoints and instances."""
    members = pg_members()
    rows = []
    for i in range(1, PG_EXTRA_NODE + 1):
        if i > PG_NODES and f"pg-node{i}" not in members:
            continue  # the extra reader is shown only while a lab has added it
        m = members.get(f"pg-node{i}", {})
        role = {"leader": "writer", "replica": "reader", "sync_standby": "reader (sync)",
                "quorum_standby": "reader (quorum)"}.get(m.get("role"), m.get("role", "down"))
        healthy = m.get("state") in ("running", "streaming")
        lag = m.get("lag")
        rows.append(Row(f"pg-node{i}", role, healthy, "-" if lag in (None, "") or role == "writer" else f"{lag} B"))
    writer = [r.service for r in rows if r.role == "writer" and r.healthy]
    readers = [r.service for r in rows if r.role.startswith("reader") and r.healthy]
    rows.insert(0, Row("pg-writer", "-> " + (writer[0] if writer else "nobody"), bool(writer)))
    rows.insert(1, Row("pg-reader", "-> " + (", ".join(readers) or "nobody"), bool(readers)))
    return rows


def _pg_proxy_row() -> Row:
    login = credentials.pg()
    host, port = ENDPOINTS["pg-proxy"].address
    try:
        with psycopg.connect(host=host, port=port, user=login.user, password=login.password,
                             dbname=login.database, connect_timeout=2, prepare_threshold=None) as conn:
            conn.execute("SELECT 1")
        return Row("pg-proxy", "pooling -> pg-writer", True)
    except psycopg.Error:
        return Row("pg-proxy", "pooling -> pg-writer", False)


def _mysql_rows() -> list[Row]:
    rows = []
    for node in mariadb.DAEMONS:
        name = node.name
        try:
            with node.root() as conn, conn.cursor(pymysql.cursors.DictCursor) as cur:
                cur.execute("SHOW SLAVE STATUS")
                replica = cur.fetchone()
        except (pymysql.err.MySQLError, PermissionError):
            rows.append(Row(name, "down"))
            continue
        if replica is None:
            rows.append(Row(name, "writer", True))
        else:
            ok = replica["Slave_IO_Running"] == "Yes" and replica["Slave_SQL_Running"] == "Yes"
            behind = replica["Seconds_Behind_Master"]
            rows.append(Row(name, "reader", ok, "-" if behind is None else f"{behind} s"))
    return rows


def _redis_rows() -> list[Row]:
    rows, offsets = [], {}
    for name in redis_svc.NODES:
        try:
            info = redis_svc.client(name).info("replication")
        except redis.RedisError:
            rows.append(Row(name, "down"))
            continue
        offsets[name] = info.get("master_repl_offset", 0)
        if info["role"] == "master":
            rows.append(Row(name, "primary", True))
        else:
            rows.append(Row(name, "replica", redis_svc.replicating(info),
                            f"{info.get('master_last_io_seconds_ago', '?')} s since last I/O"))
    primary = [r.service for r in rows if r.role == "primary"]
    rows.insert(0, Row("redis-primary", "-> " + (primary[0] if primary else "nobody"), len(primary) == 1))
    for name in redis_svc.SENTINELS:
        try:
            master = redis_svc.client(name).sentinel_master(redis_svc.MASTER_NAME)
            rows.append(Row(name, f"watching {master['ip']}:{master['port']}",
                            not redis_svc.sentinel_unsettled(master)))
        except redis.RedisError:
            rows.append(Row(name, "down"))
    return rows


def _external_rows(anchor: str) -> list[Row]:
    return [Row(name, "external", kinds.answers(ENDPOINTS[name].address, kinds.expected(name)))
            for name in external.provided(anchor)]


# Each group of the table (labkit.external.GROUPS), as the local cloud shows it.
LOCAL_ROWS = {
    "pg-writer": lambda: pg_rows() + [_pg_proxy_row()],
    "mysql-writer": _mysql_rows,
    "redis-primary": _redis_rows,
    **{d.name: (lambda d=d: [Row(d.name, "cache node", d.ready())]) for d in memcached.DAEMONS},
}


def rows() -> list[Row]:
    outside = external.outside()
    return [row for anchor, local in LOCAL_ROWS.items()
            for row in (_external_rows(anchor) if anchor in outside else local())]


def table(all_rows: list[Row] | None = None) -> str:
    all_rows = rows() if all_rows is None else all_rows
    head = ("service", "AWS role", "endpoint", "role", "healthy", "replica lag")
    cells = [head] + [(r.service, r.aws_role, r.endpoint, r.role, "yes" if r.healthy else "NO", r.lag)
                      for r in all_rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    lines = ["  ".join(c[i].ljust(widths[i]) for i in range(len(head))).rstrip() for c in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def healthy(all_rows: list[Row] | None = None) -> bool:
    return all(r.healthy for r in (rows() if all_rows is None else all_rows))


class NotHealthy(poll.TimedOut):
    """Some service of the local cloud did not become healthy in time; the message is the table."""


def wait_healthy(timeout: float = 30.0) -> list[Row]:
    """Wait until every row is healthy (a replica that has just started needs a moment to sync)."""
    return poll.until(lambda: all_rows if healthy(all_rows := rows()) else None, timeout,
                      "every service to be healthy", interval=0.2, error=NotHealthy,
                      hint=lambda: "now:\n" + table())
