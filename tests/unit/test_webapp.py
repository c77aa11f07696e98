"""The session-store web application without servers: settings, config, and the routes that
need no Redis, through Flask's test client. The Redis client points at a closed port, so any
request that did reach Redis would fail."""
from __future__ import annotations

import pytest
import redis

from labkit.cache.sessions import webapp
from labkit.cache.sessions.webapp import AppSettings, BadSetting


@pytest.fixture
def client(closed_port):
    unreachable = redis.Redis(port=closed_port, socket_connect_timeout=0.2,
                              retry_on_error=[], retry=None)
    app = webapp.create_app(AppSettings(instance="web-app9", lifetime_s=5), store=unreachable)
    return app.test_client()


def test_settings_round_trip_through_the_environment():
    settings = AppSettings(instance="web-app2", lifetime_s=3, key_prefix="lab10:session:",
                           sentinels=(("127.0.0.1", 16390), ("127.0.0.1", 16391)), master="cache",
                           redis_user="lab", redis_password="secret")
    assert AppSettings.from_env(settings.as_env()) == settings


def test_the_session_store_logs_in_to_the_nodes_not_to_the_sentinels():
    store = AppSettings(sentinels=(("127.0.0.1", 1),), redis_user="lab", redis_password="secret").session_store()
    options = store.connection_pool.connection_kwargs
    assert (options["username"], options["password"]) == ("lab", "secret")
    sentinel = store.connection_pool.sentinel_manager.sentinels[0].connection_pool.connection_kwargs
    assert sentinel.get("password") is None


def test_settings_refuse_bad_values_naming_the_variable():
    env = AppSettings(sentinels=(("127.0.0.1", 1),)).as_env()
    with pytest.raises(BadSetting, match=webapp.LIFETIME_VAR):
        AppSettings.from_env({**env, webapp.LIFETIME_VAR: "2.5"})
    with pytest.raises(BadSetting, match=webapp.LIFETIME_VAR):
        AppSettings(lifetime_s=0)
    with pytest.raises(BadSetting, match=webapp.PREFIX_VAR):
        AppSettings.from_env({**env, webapp.PREFIX_VAR: "lab10"})
    with pytest.raises(BadSetting, match=webapp.SENTINELS_VAR):
        AppSettings.from_env({**env, webapp.SENTINELS_VAR: ""})
    with pytest.raises(BadSetting, match="not HOST:PORT"):
        webapp.parse_addresses("127.0.0.1:16390,localhost")


def test_session_store_asks_the_sentinels_for_the_primary():
    store = AppSettings(sentinels=(("127.0.0.1", 1),), master="cache").session_store()
    assert store.connection_pool.service_name == "cache"
    assert store.get_encoder().decode_responses is True  # sessions are JSON text


def test_pages_without_a_session_do_not_touch_redis(client):
    assert client.get("/health").get_json()["instance"] == "web-app9"
    assert b'name="user"' in client.get("/login").data
    who = client.get("/whoami")
    assert who.status_code == 401 and "login" in who.get_json()
    empty = client.post("/login", data={"user": " "})
    assert empty.status_code == 400 and "user" in empty.get_json()["error"]


def test_an_unreachable_session_store_is_a_503_naming_it(client):
    client.set_cookie("session", "some-session-id")
    reply = client.get("/whoami")
    assert reply.status_code == 503
    assert reply.get_json()["error"].startswith("session store unavailable")


def test_session_store_without_sentinels_is_a_client_of_the_primary_endpoint_url():
    store = AppSettings(redis_url="rediss://:secret@cache.example:6380").session_store()
    kwargs = store.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["password"]) == ("cache.example", 6380, "secret")
    assert store.connection_pool.connection_class.__name__ == "SSLConnection"
    assert store.get_encoder().decode_responses is True  # sessions are JSON text
