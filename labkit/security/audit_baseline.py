"""pgaudit as the baseline wants it: loaded on every node of the PostgreSQL cluster, logging nothing.

A library in ``shared_preload_libraries`` is loaded only when PostgreSQL starts. New clusters
start with pgaudit (labkit.services.patroni.preloaded, in each node's own configuration); a
cluster that was already running when pgaudit was installed, or when the course added it, gets
its nodes' configuration rewritten and reloaded, then is restarted node by node, replicas first,
the way a parameter group change that needs a reboot is applied on RDS. pgaudit itself logs
nothing until ``pgaudit.log`` is raised: loading it changes no lab's results. A lab raises it
for a role (``ALTER ROLE ... SET pgaudit.log``); ``raised`` finds such settings a stopped lab
left behind and ``reset`` removes them.
"""
from __future__ import annotations

import psycopg

from psycopg import sql

from labkit import binaries, cluster
from labkit.services import BY_NAME
from labkit.services.patroni import AUDIT_LIBRARY, audit_library_installed, superuser_url

def install_hint() -> str:
    """How to install pgaudit for the PostgreSQL labkit runs: Debian's package names its major version."""
    major = binaries.postgres_bin_dir().parent.name  # /usr/lib/postgresql/<major>/bin on Debian
    package = f"postgresql-{major if major.isdigit() else '<major>'}-pgaudit"
    return (f"install it (Debian/Ubuntu: `apt-get install {package}`, or `bash scripts/system-packages.sh`; "
            "Homebrew has no pgaudit formula: build it from github.com/pgaudit/pgaudit), then run `./course up`")


# Server log settings an audit lab raises for its run (through Patroni), at PostgreSQL's defaults.
LOG_SETTINGS = {"log_connections": "off", "log_line_prefix": "%m [%p] "}


class PgauditMissing(RuntimeError):
    """pgaudit is not installed beside the course's PostgreSQL; the message says how to install it."""


def libraries(node: str) -> list[str]:
    """The libraries node ``node`` (pg-node1, ...) loaded when it started."""
    with psycopg.connect(superuser_url(node), autocommit=True) as conn:
        return conn.execute("SHOW shared_preload_libraries").fetchone()[0].replace(" ", "").split(",")


def without_pgaudit() -> list[str]:
    """The running nodes of the cluster that have not loaded pgaudit. A node that is down, or
    refuses connections because it is restarting this moment (a lab stopped right after crashing
    it), is cluster.heal's to bring back, and it starts with pgaudit."""
    missing = []
    for member in cluster.topology():
        if member.state not in ("running", "streaming"):
            continue
        try:
            loaded = libraries(member.name)
        except psycopg.OperationalError:
            continue  # restarting: see above
        if AUDIT_LIBRARY not in loaded:
            missing.append(member.name)
    return missing


def require() -> None:
    """Raise PgauditMissing, naming the fix, unless pgaudit is installed."""
    if not audit_library_installed():
        raise PgauditMissing(f"pgaudit is not installed beside PostgreSQL: {install_hint()}")


def load(timeout: float = 120.0) -> list[str]:
    """Load pgaudit on every running node that lacks it (rewrite, reload, restart; the writer
    last); return the nodes restarted."""
    require()
    missing = without_pgaudit()
    for name in missing:
        BY_NAME[name].prepare()  # writes patroni.yml with the libraries of preloaded()
        cluster.agent(name, "/reload", timeout=10)
        cluster.wait_for(lambda name=name: cluster.member(name).get("pending_restart"),
                         f"{name} noticing its new shared_preload_libraries", timeout)
    writer = cluster.writer()
    for name in sorted(missing, key=lambda n: n == writer):
        cluster.restart(name, timeout)
    if missing:
        cluster.wait_healthy(timeout)
    return missing


def raised() -> dict[str, str]:
    """Roles with a pgaudit setting of their own (role: its settings), on the writer."""
    with psycopg.connect(superuser_url(), autocommit=True) as conn:
        rows = conn.execute("SELECT r.rolname, array_to_string(s.setconfig, ', ') FROM pg_db_role_setting s "
                            "JOIN pg_roles r ON r.oid = s.setrole WHERE s.setdatabase = 0 "
                            "AND array_to_string(s.setconfig, ',') LIKE '%pgaudit.%'").fetchall()
    return dict(rows)


def reset() -> None:
    """Remove every role's own pgaudit.log: back to the cluster's default, none."""
    with psycopg.connect(superuser_url(), autocommit=True) as conn:
        for role in raised():
            conn.execute(sql.SQL("ALTER ROLE {} RESET pgaudit.log").format(sql.Identifier(role)))
