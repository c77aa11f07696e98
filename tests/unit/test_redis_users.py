"""The shared Redis's users, on a throwaway redis-server started from the lines labkit writes."""
import shutil
import subprocess

import pytest
import redis

from labkit import poll
from labkit.cache import clients
from labkit.services import redis as redis_svc
from labkit.services import redis_users


@pytest.fixture
def server(state_home, closed_port):
    """A redis-server with the node lines of redis_users (its port: one nothing listened on)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    conf = state_home / "redis.conf"
    conf.write_text("\n".join(["bind 127.0.0.1", f"port {closed_port}", 'save ""', *redis_users.node_config()]) + "\n")
    proc = subprocess.Popen([binary, str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    admin = redis.Redis(port=closed_port, socket_timeout=2, decode_responses=True, **redis_users.admin_login())

    def answers() -> bool:
        assert proc.poll() is None, "redis-server exited while starting"
        return admin.ping()

    poll.until(answers, 10, "redis-server to answer", interval=0.05, retry_on=(redis.ConnectionError,))
    yield closed_port, admin
    proc.terminate()
    proc.wait(10)


def test_a_client_without_a_login_is_refused(server):
    port, _ = server
    with pytest.raises(redis.AuthenticationError, match="Authentication required"):
        redis.Redis(port=port, protocol=2).get("lab08:x")


def test_the_app_user_writes_the_labs_keys_and_reads_settings_but_changes_none(server):
    port, _ = server
    app = redis.Redis(port=port, decode_responses=True, **redis_users.app_login())
    assert app.set("lab08:x", "1") and app.set("book-ec01:x", "1")
    assert app.config_get("maxmemory-policy") and app.info("replication")["role"] == "master"
    for refused in (lambda: app.set("other:x", "1"), lambda: app.config_set("maxmemory", "1mb"),
                    app.flushall, lambda: app.keys("*")):
        with pytest.raises(redis.exceptions.NoPermissionError):
            refused()


def test_reset_puts_back_users_a_lab_changed(server):
    _, admin = server
    assert redis_users.reset(admin) == [] and redis_users.drift(admin) == []
    admin.acl_setuser("intruder", enabled=True, nopass=True, commands=["+@all"], keys=["*"])
    admin.acl_setuser("default", enabled=True, nopass=True)
    admin.acl_setuser(redis_users.APP_USER, commands=["+@all"], keys=["*"])
    assert redis_users.drift(admin) == ["has a user the course did not create: intruder", "lets the default user in"]
    assert redis_users.reset(admin) == sorted(["default", "intruder", redis_users.APP_USER])
    assert redis_users.drift(admin) == []
    assert sorted(admin.acl_users()) == sorted(redis_users.acl_rules())
    assert redis_users.reset(admin) == []


def test_only_the_shared_pair_and_its_endpoint_ask_for_a_login(state_home):
    assert clients.login("redis-node1") == redis_users.app_login()
    assert clients.login("redis-sentinel1") == {"username": None, "password": None}
    assert redis_svc.login("redis-primary", admin=True) == redis_users.admin_login()
    for open_endpoint in ("redis-sentinel1", "redis-standalone1", "memorydb-node1"):
        assert redis_svc.login(open_endpoint) == {}


def test_replicas_and_sentinels_log_in_as_the_admin(state_home):
    password = redis_users.admin_login()["password"]
    assert f"masterauth {password}" in redis_users.node_config()
    assert f"masteruser {redis_users.ADMIN_USER}" in redis_users.node_config()
    assert redis_users.sentinel_config("cache") == [f"sentinel auth-user cache {redis_users.ADMIN_USER}",
                                                    f"sentinel auth-pass cache {password}"]


def test_a_node_that_refuses_the_admin_login_stops_the_baseline_with_what_to_do(server, monkeypatch):
    port, _ = server
    monkeypatch.setattr(redis_svc, "client", lambda name: redis.Redis(
        port=port, username=redis_users.ADMIN_USER, password="from-another-credentials-file"))
    assert redis_svc.RedisNode("redis-node1", binds=("redis-node1",)).ready(), "it answers, if only to refuse"
    with pytest.raises(redis_svc.UsersOutdated, match="`./course down`, then `./course up`"):
        redis_svc.check_logins()
