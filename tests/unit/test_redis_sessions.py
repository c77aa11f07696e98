"""The session middleware, through Flask's test client, over an in-memory Redis that records the
commands it receives."""
import json

import pytest
from cache_fakes import FakeRedis

from labkit.cache.sessions import webapp
from labkit.cache.sessions.redis_sessions import read_session
from labkit.cache.sessions.webapp import AppSettings

PREFIX = "t:session:"
LIFETIME_S = 30


class RecordingRedis(FakeRedis):
    """A FakeRedis that notes the name of every command the middleware sends."""

    def __init__(self):
        super().__init__()
        self.commands = []

    def __getattribute__(self, name):
        if name in ("get", "set", "expire", "delete"):
            object.__getattribute__(self, "commands").append(name.upper())
        return object.__getattribute__(self, name)


@pytest.fixture
def store():
    return RecordingRedis()


@pytest.fixture
def client(store):
    app = webapp.create_app(AppSettings(lifetime_s=LIFETIME_S, key_prefix=PREFIX), store=store)
    return app.test_client()


def session_id(client) -> str:
    return client.get_cookie("session").value


def test_a_login_is_a_json_session_in_redis_with_the_lifetime_as_ttl(client, store):
    client.post("/login", data={"user": "ada"})
    key = PREFIX + session_id(client)
    assert read_session(store, key) == {"user": "ada", "views": 0}
    assert json.loads(store.get(key)) == {"user": "ada", "views": 0}
    assert 0 < store.pttl(key) <= LIFETIME_S * 1000
    assert len(session_id(client)) >= 32  # an unguessable id, not the user's name


def test_a_request_that_changes_the_session_rewrites_it(client, store):
    client.post("/login", data={"user": "ada"})
    store.commands.clear()
    assert client.get("/whoami").get_json()["views"] == 1
    assert store.commands == ["GET", "SET"]
    assert read_session(store, PREFIX + session_id(client))["views"] == 1


def test_a_request_that_only_reads_the_session_renews_its_ttl(client, store):
    client.post("/login", data={"user": "ada"})
    key = PREFIX + session_id(client)
    store.set(key, store.get(key), ex=1)  # as if most of the lifetime had gone
    store.commands.clear()
    client.get("/login")  # the form: reads the session, changes nothing
    assert store.commands == ["GET", "EXPIRE"]
    assert store.pttl(key) > 1000


def test_a_logout_deletes_the_session_and_the_cookie(client, store):
    client.post("/login", data={"user": "ada"})
    key = PREFIX + session_id(client)
    client.post("/logout")
    assert read_session(store, key) is None and "DELETE" in store.commands
    assert client.get_cookie("session") is None
    assert client.get("/whoami").status_code == 401


def test_an_expired_session_asks_for_a_login_and_writes_nothing(client, store):
    client.post("/login", data={"user": "ada"})
    store.data.clear()  # the TTL ran out
    store.commands.clear()
    assert client.get("/whoami").status_code == 401
    assert store.commands == ["GET"]


def test_no_cookie_no_redis_call(client, store):
    client.get("/whoami")
    client.get("/health")
    assert store.commands == []
