"""A small web application whose sessions live in Redis, not in its own process.

Each instance is stateless: its session middleware (``redis_sessions.RedisSessions``) keeps the
session (who is logged in, a page-view counter) in Redis under ``key_prefix + session id``, and the
browser holds only the id in a cookie. Any instance finds the session another instance wrote: the
"User Session Store" architecture. Every request renews the session's TTL, so it slides forward
while the user is active and the session expires after idling.

Run by gunicorn as ``labkit.cache.sessions.webapp:create_app()``, with every setting, the Sentinel
addresses included, in its environment (``AppSettings.from_env``). A Redis with no Sentinels to ask
(ElastiCache, a reader's own) is given as the URL of its primary endpoint instead. It imports nothing from the
rest of labkit but its session middleware, so it needs only Flask, gunicorn and redis-py, as a
real application would.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

import redis
from flask import Flask, jsonify, request, session
from redis.exceptions import ReadOnlyError
from redis.sentinel import Sentinel
from werkzeug.exceptions import InternalServerError

from labkit.cache.sessions.redis_sessions import RedisSessions

INSTANCE_VAR = "LABKIT_APP_INSTANCE"
LIFETIME_VAR = "LABKIT_SESSION_LIFETIME"
PREFIX_VAR = "LABKIT_SESSION_PREFIX"
SENTINELS_VAR = "LABKIT_SESSION_SENTINELS"   # host:port,host:port,...
MASTER_VAR = "LABKIT_SESSION_MASTER"         # the name the Sentinels monitor
URL_VAR = "LABKIT_SESSION_REDIS_URL"         # redis[s]://[user:password@]host:port, instead of Sentinels
USER_VAR = "LABKIT_SESSION_REDIS_USER"       # the Redis user the application logs in as
PASSWORD_VAR = "LABKIT_SESSION_REDIS_PASSWORD"

LOGIN_FORM = """<!doctype html>
<title>Log in</title>
<form method="post" action="/login">
  <label>User <input name="user" autofocus></label>
  <button>Log in</button>
</form>
"""


class BadSetting(ValueError):
    """An application setting in the environment is malformed."""


@dataclass(frozen=True)
class AppSettings:
    instance: str = "web-app"          # which instance answers, shown in every response
    lifetime_s: int = 1800             # session lifetime, renewed by every request
    key_prefix: str = "session:"       # where the sessions live in Redis
    sentinels: tuple[tuple[str, int], ...] = ()  # who to ask for the Redis primary
    master: str = "cache"
    redis_url: str = ""                # the primary endpoint, where there are no Sentinels to ask
    redis_user: str = ""               # Redis's login (ACL user and password); empty: none asked
    redis_password: str = ""

    def __post_init__(self) -> None:
        if self.lifetime_s < 1:
            raise BadSetting(f"{LIFETIME_VAR} must be a whole number of seconds >= 1 "
                             f"(Redis expires the key in whole seconds), got {self.lifetime_s}")
        if not self.key_prefix.endswith(":"):
            raise BadSetting(f"{PREFIX_VAR}={self.key_prefix!r} must end with ':'")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "AppSettings":
        """Read the LABKIT_APP_* and LABKIT_SESSION_* variables; the Sentinels are required unless
        the primary endpoint's URL is given."""
        lifetime = environ.get(LIFETIME_VAR, str(cls.lifetime_s)).strip()
        if not lifetime.isdigit():
            raise BadSetting(f"{LIFETIME_VAR}={lifetime!r} is not a whole number of seconds")
        return cls(instance=environ.get(INSTANCE_VAR, cls.instance),
                   lifetime_s=int(lifetime),
                   key_prefix=environ.get(PREFIX_VAR, cls.key_prefix),
                   sentinels=() if environ.get(URL_VAR) else parse_addresses(environ.get(SENTINELS_VAR, "")),
                   master=environ.get(MASTER_VAR, cls.master), redis_url=environ.get(URL_VAR, ""),
                   redis_user=environ.get(USER_VAR, ""), redis_password=environ.get(PASSWORD_VAR, ""))

    def as_env(self) -> dict[str, str]:
        """The environment that makes ``from_env`` return these settings."""
        return {INSTANCE_VAR: self.instance, LIFETIME_VAR: str(self.lifetime_s),
                PREFIX_VAR: self.key_prefix, MASTER_VAR: self.master,
                SENTINELS_VAR: ",".join(f"{host}:{port}" for host, port in self.sentinels), URL_VAR: self.redis_url,
                USER_VAR: self.redis_user, PASSWORD_VAR: self.redis_password}

    def session_store(self) -> redis.Redis:
        """A Sentinel-aware client: each new connection asks the Sentinels for the primary. Or a
        client of the primary endpoint that, on READONLY from a demoted primary, drops the
        connection and retries on a new one, which the endpoint sends to the new primary.

        The Sentinels need no login; the nodes they lead to get the application's user and
        password. Short timeouts: a request whose store does not answer fails fast (503).
        """
        if self.redis_url:
            return redis.Redis.from_url(self.redis_url, socket_connect_timeout=1, socket_timeout=2,
                                        retry_on_error=[ReadOnlyError], decode_responses=True)
        login = {"username": self.redis_user or None, "password": self.redis_password or None}
        sentinel = Sentinel(list(self.sentinels), socket_connect_timeout=1, socket_timeout=2, **login,
                            sentinel_kwargs={"socket_connect_timeout": 1, "socket_timeout": 1})
        return sentinel.master_for(self.master, decode_responses=True)


def parse_addresses(raw: str) -> tuple[tuple[str, int], ...]:
    """``"h1:p1,h2:p2"`` -> ((h1, p1), (h2, p2)); at least one address."""
    addresses = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        host, _, port = item.rpartition(":")
        if not host or not port.isdigit():
            raise BadSetting(f"{SENTINELS_VAR}: {item!r} is not HOST:PORT")
        addresses.append((host, int(port)))
    if not addresses:
        raise BadSetting(f"{SENTINELS_VAR} is empty: set it to the Sentinels' HOST:PORT list, "
                         f"for example 127.0.0.1:16390,127.0.0.1:16391,127.0.0.1:16392")
    return tuple(addresses)


def create_app(settings: AppSettings | None = None, store: redis.Redis | None = None) -> Flask:
    """The application; by default settings from the environment and their Sentinel client."""
    settings = settings or AppSettings.from_env()
    app = Flask(__name__)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    app.session_interface = RedisSessions(store or settings.session_store(), settings.key_prefix,
                                          settings.lifetime_s)
    me = settings.instance

    @app.get("/health")
    def health():
        return {"instance": me, "pid": os.getpid()}

    @app.get("/login")
    def login_form():
        return LOGIN_FORM

    @app.post("/login")
    def login():
        user = request.form.get("user", "").strip()
        if not user:
            return {"instance": me, "error": "the form field 'user' is empty"}, 400
        session.clear()
        session.update(user=user, views=0)
        return {"instance": me, "user": user}

    @app.get("/whoami")
    def whoami():
        if "user" not in session:
            return {"instance": me, "login": "required: POST /login with a user"}, 401
        session["views"] += 1
        return {"instance": me, "user": session["user"], "views": session["views"]}

    @app.post("/logout")
    def logout():
        session.clear()
        return {"instance": me, "user": None}

    @app.errorhandler(InternalServerError)
    def store_unavailable(exc: InternalServerError):
        cause = exc.original_exception
        if isinstance(cause, redis.RedisError):
            return jsonify(instance=me, error=f"session store unavailable: {cause}"), 503
        return jsonify(instance=me, error=str(cause or exc)), 500

    return app
