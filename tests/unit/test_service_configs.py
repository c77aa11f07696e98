"""The configurations labkit writes are accepted by the real programs."""
import subprocess

import pytest
import yaml

from labkit import binaries
from labkit.endpoints import ENDPOINTS, ServiceUnavailable
from labkit.services import haproxy, patroni, pgbouncer


def test_haproxy_accepts_the_generated_config(state_home):
    conf = state_home / "haproxy.cfg"
    conf.write_text(haproxy.config_text())
    done = subprocess.run([binaries.find("haproxy"), "-c", "-f", str(conf)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    text = conf.read_text()
    assert "uri /primary" in text and "uri /replica" in text and "role:master" in text
    assert "inter 200ms" in text and "on-marked-down shutdown-sessions" in text
    assert f"stats socket ipv4@127.0.0.1:{ENDPOINTS['haproxy-admin'].bound_port} level admin" in text


@pytest.mark.parametrize("pg, redis", [(False, True), (True, False)])
def test_haproxy_leaves_out_the_endpoints_of_servers_labkit_did_not_start(state_home, pg, redis):
    conf = state_home / "haproxy.cfg"
    conf.write_text(haproxy.config_text(pg=pg, redis=redis))
    done = subprocess.run([binaries.find("haproxy"), "-c", "-f", str(conf)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    text = conf.read_text()
    assert ("listen pg-writer" in text) == pg and ("listen pg-reader" in text) == pg
    assert ("listen redis-primary" in text) == redis and "stats socket" in text


def test_the_extra_node_starts_out_of_the_endpoints_while_it_is_not_running(state_home):
    servers = [l.split() for l in haproxy.config_text().splitlines() if l.strip().startswith("server pg-node")]
    assert len(servers) == 8  # four nodes behind each of the two endpoints
    assert all((s[-1] == "disabled") == (s[1] == "pg-node4") for s in servers), servers


SHOW_STAT = """# pxname,svname,qcur,qmax,scur,smax,slim,stot,status,
pg-reader,FRONTEND,,,3,5,4000,90,OPEN,
pg-reader,pg-node1,0,0,0,1,,10,DOWN,
pg-reader,pg-node2,0,0,2,3,,40,UP,
pg-reader,pg-node3,0,0,1,2,,40,UP 1/2,
pg-reader,pg-node4,0,0,0,0,,0,MAINT,
pg-reader,BACKEND,0,0,3,5,400,90,UP,
redis-primary,redis-node1,0,0,1,1,,2,UP,
"""


def test_the_runtime_api_answer_says_where_each_endpoint_routes(monkeypatch):
    monkeypatch.setattr(haproxy, "admin", lambda command: SHOW_STAT)
    assert haproxy.servers("pg-reader") == {"pg-node1": "DOWN", "pg-node2": "UP", "pg-node3": "UP 1/2",
                                            "pg-node4": "MAINT"}
    assert haproxy.routed("pg-reader") == {"pg-reader": {"pg-node2", "pg-node3"}}  # one failed check: still routed
    assert haproxy.sessions("pg-reader") == {"pg-node1": 0, "pg-node2": 2, "pg-node3": 1, "pg-node4": 0}
    assert haproxy.routed("redis-primary", "pg-reader") == {"redis-primary": {"redis-node1"},
                                                            "pg-reader": {"pg-node2", "pg-node3"}}


def test_a_refused_runtime_command_says_what_was_refused(monkeypatch):
    monkeypatch.setattr(haproxy, "admin", lambda command: "No such server.\n")
    with pytest.raises(RuntimeError, match="refused `set server pg-reader/pg-node9 state maint`: No such server"):
        haproxy.disable("pg-reader", "pg-node9")


def test_a_server_leaves_maintenance_as_down_until_a_check_passes(monkeypatch):
    sent = []
    monkeypatch.setattr(haproxy, "admin",
                        lambda command: SHOW_STAT if command == "show stat" else sent.append(command) or "")
    haproxy.enable("pg-reader", "pg-node2")  # up already: left alone, its sessions too
    haproxy.enable("pg-reader", "pg-node4")
    assert sent == ["set server pg-reader/pg-node4 state ready; set server pg-reader/pg-node4 health down"]


def test_a_silent_runtime_api_names_the_command_that_starts_it(monkeypatch, closed_port):
    monkeypatch.setenv("LABKIT_HAPROXY_ADMIN", f"127.0.0.1:{closed_port}")
    with pytest.raises(ServiceUnavailable, match="haproxy-admin .* does not answer.*./course up"):
        haproxy.routed("pg-writer")


def test_patroni_settings_are_the_fast_failover_ones(state_home):
    settings = patroni.DAEMONS[0].settings()
    dcs = settings["bootstrap"]["dcs"]
    assert (dcs["ttl"], dcs["loop_wait"], dcs["retry_timeout"], dcs["primary_start_timeout"]) == (20, 1, 3, 0)
    assert "etcd3" in settings and "etcd" not in settings  # the v2 section hangs against etcd 3.4
    assert settings["postgresql"]["basebackup"] == [{"checkpoint": "fast"}]
    assert dcs["postgresql"]["parameters"]["ssl"] == "on"
    yaml.safe_dump(settings)


def test_pgbouncer_pools_transactions_and_retries_logins_quickly(state_home):
    text = pgbouncer.config_text(state_home)
    assert "pool_mode = transaction" in text and "server_login_retry = 1" in text
