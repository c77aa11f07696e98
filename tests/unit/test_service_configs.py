"""The configurations labkit writes are accepted by the real programs."""
import subprocess

import yaml

from labkit import binaries
from labkit.services import haproxy, patroni, pgbouncer


def test_haproxy_accepts_the_generated_config(tmp_path):
    conf = tmp_path / "haproxy.cfg"
    conf.write_text(haproxy.config_text())
    done = subprocess.run([binaries.find("haproxy"), "-c", "-f", str(conf)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    text = conf.read_text()
    assert "uri /primary" in text and "uri /replica" in text and "role:master" in text
    assert "inter 200ms" in text and "on-marked-down shutdown-sessions" in text


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
