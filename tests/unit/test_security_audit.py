from pathlib import Path

import psycopg
import pytest

from labkit.instances import Node
from labkit.security import audit_baseline, audit_cost, audit_logs
from labkit.services import patroni

PGBENCH_OUTPUT = """pgbench (15.10 (Debian 15.10-0+deb12u1))
number of transactions actually processed: 512
latency average = 15.6 ms
initial connection time = 20.1 ms
tps = 256.123456 (without initial connection time)
"""


def test_tps_is_read_from_pgbenchs_report():
    assert audit_cost.tps(PGBENCH_OUTPUT) == pytest.approx(256.123456)
    with pytest.raises(audit_cost.BenchFailed, match="no tps line"):
        audit_cost.tps("pgbench: error: connection refused")


def test_compare_sets_each_level_before_its_run_and_takes_turns(monkeypatch):
    calls = []
    monkeypatch.setattr(audit_cost, "pgbench", lambda args: calls.append(("run", tuple(args))) or PGBENCH_OUTPUT)
    found = audit_cost.compare(lambda level: calls.append(("set", level)), ["none", "all"], ["-T", "1"], rounds=2)
    assert calls == [("set", "none"), ("run", ("-T", "1")), ("set", "all"), ("run", ("-T", "1"))] * 2
    assert {level: len(runs) for level, runs in found.items()} == {"none": 2, "all": 2}


def test_compare_needs_a_level_and_a_round():
    with pytest.raises(ValueError, match="at least one"):
        audit_cost.compare(lambda level: None, [], ["-T", "1"], rounds=1)


def test_cost_table_gives_each_level_as_a_share_of_none():
    table = audit_cost.cost_table({"none": [200.0, 220.0], "all": [150.0, 160.0]})
    assert "| `none` | 2 | 210 | 100% |" in table
    assert "| `all` | 2 | 155 | 74% |" in table


def test_pgbench_is_pointed_at_the_writer_as_the_course_login():
    env = audit_cost.environment()
    assert env["PGSSLMODE"] == "verify-full" and env["PGUSER"] and env["PGPASSWORD"]


def test_since_returns_only_the_lines_written_after_the_mark(tmp_path):
    log = tmp_path / "server.log"
    assert audit_logs.mark(log) == 0
    log.write_text("old line\n")
    before = audit_logs.mark(log)
    with log.open("a") as f:
        f.write("AUDIT: one\nAUDIT: two\n")
    assert audit_logs.since(log, before) == ["AUDIT: one", "AUDIT: two"]


def test_since_of_a_missing_log_asks_whether_the_server_runs(tmp_path):
    with pytest.raises(FileNotFoundError, match="is the server running"):
        audit_logs.since(tmp_path / "absent.log", 0)


def test_without_the_library_the_nodes_preload_only_pg_stat_statements(monkeypatch):
    monkeypatch.setattr(patroni, "audit_library_installed", lambda: False)
    assert patroni.preloaded() == {"shared_preload_libraries": "pg_stat_statements"}
    monkeypatch.setattr(patroni, "audit_library_installed", lambda: True)
    assert patroni.preloaded()["shared_preload_libraries"].split(",") == ["pg_stat_statements", "pgaudit"]
    assert patroni.preloaded()["pgaudit.log"] == "none"


def test_a_missing_pgaudit_names_the_package_of_the_postgresql_that_runs(monkeypatch):
    monkeypatch.setattr(audit_baseline, "audit_library_installed", lambda: False)
    monkeypatch.setattr(audit_baseline.binaries, "postgres_bin_dir", lambda: Path("/usr/lib/postgresql/16/bin"))
    with pytest.raises(audit_baseline.PgauditMissing, match="postgresql-16-pgaudit"):
        audit_baseline.require()


def test_the_log_settings_a_lab_raises_are_postgresqls_defaults_in_the_baseline():
    from labkit.baseline import PATRONI

    assert PATRONI["postgresql"]["parameters"]["log_connections"] == "off"
    assert PATRONI["postgresql"]["parameters"]["log_line_prefix"] == "%m [%p] "


def test_the_baseline_names_raised_audit_levels_and_nodes_without_pgaudit(monkeypatch):
    from labkit import baseline

    monkeypatch.setattr(baseline.audit_baseline, "raised", lambda: {"lab": "pgaudit.log=all"})
    monkeypatch.setattr(baseline.audit_baseline, "without_pgaudit", lambda: ["pg-node2"])
    monkeypatch.setattr(baseline, "audit_library_installed", lambda: True)
    assert [d.what for d in baseline._audit_drift()] == [
        "role lab has its own audit level (pgaudit.log=all)", "pg-node2 has not loaded pgaudit"]
    monkeypatch.setattr(baseline, "audit_library_installed", lambda: False)
    assert [d.what for d in baseline._audit_drift()] == ["role lab has its own audit level (pgaudit.log=all)"]


def test_the_baseline_leaves_the_audit_settings_of_an_external_cluster_alone(monkeypatch):
    from labkit import baseline

    def not_asked(*_):
        raise AssertionError("labkit touched the audit settings of a cluster it did not start")

    everything = set(baseline.external.GROUPS)
    for name in ("raised", "without_pgaudit", "reset", "load"):
        monkeypatch.setattr(baseline.audit_baseline, name, not_asked)
    monkeypatch.setattr(baseline, "_patroni_config", not_asked)
    monkeypatch.setattr(baseline, "_redis_drift", not_asked)
    monkeypatch.setattr(baseline, "accepts", lambda name: False)
    monkeypatch.setattr(baseline.procs, "running", lambda name: None)
    monkeypatch.setattr(baseline.cloud, "up", lambda echo: [])
    monkeypatch.setattr(baseline.external, "outside", lambda: everything)
    monkeypatch.setattr(baseline.cluster, "heal", lambda: None)
    monkeypatch.setattr(baseline.health, "heal", lambda: None)
    assert baseline.restore() == []


def test_a_node_restarting_this_moment_is_left_to_heal_not_reported(monkeypatch):
    def libraries(node):
        if node == "pg-node3":
            raise psycopg.OperationalError("connection refused")
        return ["pg_stat_statements"] if node == "pg-node2" else ["pg_stat_statements", "pgaudit"]

    monkeypatch.setattr(audit_baseline.cluster, "topology", lambda: [
        Node(f"pg-node{i}", "writer" if i == 1 else "reader", "running") for i in (1, 2, 3)])
    monkeypatch.setattr(audit_baseline, "libraries", libraries)
    assert audit_baseline.without_pgaudit() == ["pg-node2"]
