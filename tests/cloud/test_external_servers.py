"""The labs against servers the course did not start, as a reader with servers of their own runs them.

Plain servers started by hand (tests/cloud/plain_servers.py) on ports no labkit endpoint uses, the
LABKIT_* variables pointed at them, and labs run top to bottom in a process of their own, as
JupyterLab would run them after an ``export``. Each must complete, and each step that would have
controlled a server, or used one the plain servers lack (a proxy), must have said, in one sentence,
that it skipped; a lab whose subject is a server's own set-up (MemoryDB, security) runs on servers
of its own and says so. The local cloud of this test run goes on beside them untouched: both sets
coexist on one machine.
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
# lab: the beginnings of the steps it skips against servers it cannot control
LABS = {
    "01-endpoints-and-replicas.md": [],
    "03-quorum-commit.md": ["switch quorum commit on and off"],
    "06-backtrack-and-pitr.md": ["switch on WAL archiving", "dump the table as root"],
    "07-maintenance-and-monitoring.md": ["change a setting that needs a restart", "load pg_stat_statements"],
    "08-cache-aside.md": ["start a lone, empty Redis node"],
    "10-session-store.md": ["kill -9 the Redis primary"],
    "11-redis-vs-memcached.md": ["stop memcached2", "kill -9 the Redis primary"],
    "12-ttl-and-eviction.md": ["start lone Redis nodes"],
    "14-durability-cost-and-consistency.md": [],
    "19-audit-logs.md": ["log logins and raise pgaudit's level"],
    "20-connection-storm.md": ["send the same storm through the proxy", "read the CPU seconds and memory"],
    "25-cache-read-replicas.md": [],
}
# lab: the sentence it says when it starts servers of its own beside servers labkit did not start
OWN_SERVERS = {
    "14-durability-cost-and-consistency.md": pair.OWN_PAIR,
    "19-audit-logs.md": own_servers.OWN_SERVERS,
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
    """This process's environment pointed at the plain servers, with a state folder of its own."""
    home = tempfile.mkdtemp(prefix="labkit-external-home-", dir="/var/tmp")
    os.chmod(home, 0o755)
    yield {**os.environ, **plain.env(), "LABKIT_HOME": home}
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


@pytest.mark.parametrize("lab", LABS)
def test_a_lab_completes_against_plain_servers_and_says_what_it_skipped(env, lab):
    done = _run(["-c", RUN_PAGE, str(ROOT / "labs" / lab)], env)
    assert done.returncode == 0, f"{lab} stopped:\n{done.stderr[-6000:]}"
    assert "External servers, used as they are" in done.stdout, done.stdout[:2000]
    skipped = [line for line in done.stdout.splitlines() if line.startswith(control.SKIPPED)]
    assert len(skipped) == len(LABS[lab]), skipped
    for line, step in zip(skipped, LABS[lab]):
        assert f"would {step}" in line and "on AWS, " in line, line
    assert lab not in OWN_SERVERS or OWN_SERVERS[lab] in done.stdout, "the lab did not say its servers are its own"
    assert list(Path(env["LABKIT_HOME"], "run").glob("*.pid")) == [], "labkit started a server of its own"


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
