"""Server-side sessions in Redis: the middleware every instance of the web application runs.

The browser carries only a random session id in a cookie; the session itself is a JSON object in
Redis under ``key_prefix + id``, written with the session lifetime as its TTL. Every request that
finds the session renews that TTL, so the expiry slides while the user is active and the session
disappears by itself one lifetime after the last request. The Redis calls are four short
functions, which the session store lab shows as they are; ``RedisSessions`` plugs them into Flask.
"""
from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta, timezone

import redis
from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict


def read_session(store: redis.Redis, key: str) -> dict | None:
    """GET the session: None when it expired, was deleted or never existed."""
    raw = store.get(key)
    return None if raw is None else json.loads(raw)


def write_session(store: redis.Redis, key: str, session: dict, lifetime_s: int) -> None:
    """SET the session with EX: every write starts its lifetime again."""
    store.set(key, json.dumps(session), ex=lifetime_s)


def renew_session(store: redis.Redis, key: str, lifetime_s: int) -> None:
    """EXPIRE: a request that changed nothing renews the lifetime without rewriting the value."""
    store.expire(key, lifetime_s)


def delete_session(store: redis.Redis, key: str) -> None:
    """DEL: a logout ends the session at once instead of one lifetime later."""
    store.delete(key)


class ServerSession(CallbackDict, SessionMixin):
    """Flask's view of one session: its id, and whether this request changed it."""

    def __init__(self, data: dict | None = None, sid: str | None = None):
        def changed(_session) -> None:
            self.modified = True

        super().__init__(data, changed)
        self.new = sid is None
        self.sid = sid or secrets.token_urlsafe(32)  # unguessable: it is the user's login
        self.modified = False


class RedisSessions(SessionInterface):
    """Flask's session interface over the four functions above, with a sliding lifetime."""

    def __init__(self, store: redis.Redis, key_prefix: str, lifetime_s: int):
        self.store, self.key_prefix, self.lifetime_s = store, key_prefix, lifetime_s

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        """The session the cookie names, or a new, empty one (no Redis call without a cookie)."""
        sid = request.cookies.get(self.get_cookie_name(app))
        data = read_session(self.store, self.key_prefix + sid) if sid else None
        return ServerSession(data, sid) if data is not None else ServerSession()

    def save_session(self, app: Flask, session: ServerSession, response: Response) -> None:
        """Write a changed session, renew an unchanged one, delete an emptied one."""
        key, cookie = self.key_prefix + session.sid, self.get_cookie_name(app)
        path, domain = self.get_cookie_path(app), self.get_cookie_domain(app)
        if not session:
            if session.modified and not session.new:
                delete_session(self.store, key)
                response.delete_cookie(cookie, path=path, domain=domain)
            return
        if session.modified:
            write_session(self.store, key, dict(session), self.lifetime_s)
        else:
            renew_session(self.store, key, self.lifetime_s)
        expires = datetime.now(timezone.utc) + timedelta(seconds=self.lifetime_s)
        response.set_cookie(cookie, session.sid, expires=expires, path=path, domain=domain,
                            httponly=self.get_cookie_httponly(app), secure=self.get_cookie_secure(app),
                            samesite=self.get_cookie_samesite(app))
