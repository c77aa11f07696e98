"""The labs against servers the course did not start, as a reader with servers of their own runs them.

Plain servers started by hand (tests/cloud/plain_servers.py) on ports no labkit endpoint uses, the
LABKIT_* variables pointed at them, and labs and chapters of every part run top to bottom in a
process of their own, as JupyterLab would run them after an ``export``. Each must complete, and
each step that would have controlled a server, or used one the plain servers lack (a proxy), must
have said, in one sentence, that it skipped; a lab whose subject is a server's own set-up
(MemoryDB, security) runs on servers of its own and says so. No page may change a setting of the
plain servers. The local cloud of this test run goes on beside them untouched: both sets coexist
on one machine.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from plain_servers import LOGIN, PlainServers

from labkit import baseline, control, db, logins
from labkit.cache import clients
from labkit.memorydb import pair
from labkit.security import own_servers

ROOT = Path(__file__).parents[2]
RUN_PAGE = """
import sys
from pathlib import Path

from jupyter_cache.executors.utils import single_nb_execution
from myst_nb.core.read import read_myst_markdown_notebook

path = Path(sys.argv[1])
notebook = read_myst_markdown_notebook(path.read_text(), path=path)
result = single_nb_execution(notebook, cwd=str(path.parent), timeout=600, allow_errors=False)
for cell in notebook.cells:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            print(output["text"], end="")
if result.err is not None:
    sys.exit(str(result.err))
"""
# page: the beginnings of the steps it skips against servers it cannot control
PAGES = {
    "labs/01-endpoints-and-replicas.md": [],
    "labs/03-quorum-commit.md": ["switch quorum commit on and off"],
    "labs/06-backtrack-and-pitr.md": ["switch on WAL archiving", "dump the table as root"],
    "labs/07-maintenance-and-monitoring.md": ["change a setting that needs a restart", "load pg_stat_statements"],
    "labs/08-cache-aside.md": ["start a lone, empty Redis node"],
    "labs/10-session-store.md": ["kill -9 the Redis primary"],
    "labs/11-redis-vs-memcached.md": ["stop memcached2", "kill -9 the Redis primary"],
    "labs/12-ttl-and-eviction.md": ["start lone Redis nodes"],
    "labs/14-durability-cost-and-consistency.md": [],
    "labs/16-tls-on-the-wire.md": [],
    "labs/19-audit-logs.md": ["log logins and raise pgaudit's level"],
    "labs/20-connection-storm.md": ["send the same storm through the proxy", "read the CPU seconds and memory"],
    "labs/21-multiplexing-and-pinning.md": ["cut the proxy's pool to one server connection"],
    "labs/22-failover-and-credentials-through-the-proxy.md": ["crash the writer while clients run through the proxy",
                                                              "give the proxy a database login of its own"],
    "labs/24-cross-region-replica.md": ["clone the writer into a replica behind a delaying relay"],
    "labs/25-cache-read-replicas.md": [],
    "book/elasticache/04-evictions-and-ttl.md": ["start a lone Redis node"],
    "book/memorydb/01-durable-in-memory-database.md": [],
    "book/proxy/01-rds-proxy.md": ["log in through the proxy", "crash the writer while clients run",
                                   "give the proxy a database login"],
    "book/security/01-in-flight-and-logins.md": ["try a client without a login"],
}
# page: the sentence it says when it starts servers of its own beside servers labkit did not start
OWN_SERVERS = {
    "labs/14-durability-cost-and-consistency.md": pair.OWN_PAIR,
    "labs/16-tls-on-the-wire.md": own_servers.OWN_SERVERS,
    "labs/19-audit-logs.md": own_servers.OWN_SERVERS,
    "book/memorydb/01-durable-in-memory-database.md": pair.OWN_PAIR,
}


@pytest.fixture(scope="module")
def plain():
    servers = PlainServers()
    try:
        yield servers.start()
    finally:
        servers.stop()


@pytest.fixture(scope="module")
def env(plain):
    """This process's environment pointed at the plain servers, with a state folder of its own; the
    kernels, started in a page's folder, import this checkout's labkit (not an installed one)."""
    home = tempfile.mkdtemp(prefix="labkit-external-home-", dir="/var/tmp")
    os.chmod(home, 0o755)
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    yield {**os.environ, **plain.env(), "LABKIT_HOME": home, "PYTHONPATH": path}
    subprocess.run(["rm", "-rf", home], check=True)


def _run(argv: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


def test_status_shows_every_server_as_external_and_healthy(env):
    done = _run(["-m", "labkit", "status"], env)
    assert done.returncode == 0, done.stdout + done.stderr
    table = done.stdout.split("\n\n")[0].splitlines()[2:]  # below the header and its rule
    rows = {line.split()[0]: line for line in table}
    assert set(rows) == {"pg-writer", "pg-reader", "pg-node1", "pg-node2", "mysql-writer", "mysql-reader",
                         "redis-primary", "memcached1", "memcached2"}, done.stdout
    assert all(" external " in row and " yes " in row for row in rows.values()), done.stdout


@pytest.mark.parametrize("page", PAGES)
def test_a_page_completes_against_plain_servers_and_says_what_it_skipped(env, page):
    done = _run(["-c", RUN_PAGE, str(ROOT / page)], env)
    assert done.returncode == 0, f"{page} stopped:\n{done.stderr[-6000:]}"
    assert "External servers, used as they are" in done.stdout, done.stdout[:2000]
    skipped = [line for line in done.stdout.splitlines() if line.startswith(control.SKIPPED)]
    assert len(skipped) == len(PAGES[page]), skipped
    for line, step in zip(skipped, PAGES[page]):
        assert f"would {step}" in line and "on AWS, " in line, line
    assert page not in OWN_SERVERS or OWN_SERVERS[page] in done.stdout, "the page did not say its servers are its own"
    assert list(Path(env["LABKIT_HOME"], "run").glob("*.pid")) == [], "labkit started a server of its own"


def test_the_plain_servers_keep_their_settings(plain):
    now = plain.settings()
    changed = {name: {key: (value, now[name].get(key)) for key, value in found.items() if now[name].get(key) != value}
               if isinstance(found, dict) else (found, now[name])
               for name, found in plain.settings_at_start.items() if now[name] != found}
    assert changed == {}, f"a page changed settings (before, after) of servers labkit did not start: {changed}"


def test_a_wrong_login_names_the_variable_to_fix(plain, monkeypatch):
    for name, value in plain.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LABKIT_PG_PASSWORD", "not-the-password")
    with pytest.raises(logins.LoginFailed, match="refused the password of user shopper: fix LABKIT_PG_PASSWORD"):
        db.engine("pg-writer")
    monkeypatch.setenv("LABKIT_PG_PASSWORD", LOGIN["password"])
    monkeypatch.setenv("LABKIT_PG_SSLMODE", "verify-full")
    with pytest.raises(logins.LoginFailed, match="LABKIT_PG_SSLROOTCERT"):
        db.engine("pg-writer")
    monkeypatch.setenv("LABKIT_PG_SSLMODE", "require")
    monkeypatch.setenv("LABKIT_MYSQL_DATABASE", "no_such_db")
    with pytest.raises(logins.LoginFailed, match="fix LABKIT_MYSQL_DATABASE"):
        db.engine("mysql-writer")
    monkeypatch.delenv("LABKIT_REDIS_PASSWORD")
    with pytest.raises(logins.LoginFailed, match="asks for a password: set LABKIT_REDIS_PASSWORD"):
        clients.primary()
    monkeypatch.setenv("LABKIT_PG_WRITER", plain.env()["LABKIT_REDIS_PRIMARY"])
    assert "answers as Redis, not PostgreSQL: point LABKIT_PG_WRITER" in logins.wrong_kind("pg-writer")


def test_the_local_cloud_beside_them_is_untouched():
    assert baseline.deviations() == []
