"""The two web app instances share sessions through Redis, with the lifetime they were given."""
from labkit.cache import clients, keyspace
from labkit.cache.sessions import app_servers, session_store
from labkit.cache.sessions.browser import Browser
from labkit.cache.sessions.redis_sessions import delete_session, read_session, renew_session, write_session

PREFIX = "labtest-sessions:"  # a key the app user may write (labkit.services.redis_users)


def test_a_login_on_one_instance_is_a_session_in_redis_the_other_finds():
    cache = clients.primary()
    keyspace.clear(cache, PREFIX)
    app_servers.start(lifetime_s=30, key_prefix=PREFIX)
    try:
        browser = Browser()
        session_store.login(browser, "web-app1", user="ada")
        seen = session_store.visit(browser, "web-app2")
        key = session_store.session_key(browser, PREFIX)
        assert seen.recognised and seen.user == "ada" and seen.instance == "web-app2"
        assert read_session(cache, key)["views"] == 1
        assert 0 < cache.ttl(key) <= 30
        assert len(set(app_servers.pids().values())) == 2
    finally:
        app_servers.stop()
        keyspace.clear(cache, PREFIX)


def test_the_middleware_commands_on_the_real_redis():
    cache = clients.primary()
    key = PREFIX + "session:middleware-test"
    try:
        write_session(cache, key, {"user": "ada", "views": 2}, lifetime_s=30)
        assert read_session(cache, key) == {"user": "ada", "views": 2}
        assert 0 < cache.ttl(key) <= 30
        renew_session(cache, key, lifetime_s=600)
        assert 30 < cache.ttl(key) <= 600
        delete_session(cache, key)
        assert read_session(cache, key) is None
    finally:
        keyspace.clear(cache, PREFIX)
