"""A login that a server refuses, told as the LABKIT_* variable to fix instead of a driver's error.

The local cloud's logins are made by labkit and cannot be wrong. The servers a reader points the
labs at come with logins of their own (LABKIT_PG_USER, _PASSWORD, _DATABASE, _SSLMODE,
LABKIT_MYSQL_*, LABKIT_REDIS_*), so the first connection to each is tried at once and a refusal
says which variable to change: a wrong password, a missing database, a TLS mismatch, or a server
of another kind at that address.
"""
from __future__ import annotations

import redis
import sqlalchemy as sa

from labkit import kinds
from labkit.endpoints import ENDPOINTS

# (words all found in the driver's message, what it means and which variable fixes it)
PG_REFUSALS = (
    (("password authentication failed",), "refused the password of user {user}: fix LABKIT_PG_PASSWORD "
                                          "(or LABKIT_PG_USER)"),
    (("pg_hba.conf",), "does not let user {user} in from here with this TLS setting: fix "
                       "LABKIT_PG_SSLMODE, or the server's pg_hba.conf"),
    (("does not match host name",), "presents a certificate for another host name: set the endpoint's "
                                    "LABKIT_PG_* variable to a name in its certificate (on AWS, the "
                                    "endpoint's DNS name, not an IP address or an alias of your own)"),
    (("certificate",), "has a certificate this client does not trust: set LABKIT_PG_SSLROOTCERT to its "
                       "CA bundle (for RDS and Aurora, global-bundle.pem); LABKIT_PG_SSLMODE=require would "
                       "encrypt without checking whom the client talks to"),
    (("role", "does not exist"), "has no user {user}: fix LABKIT_PG_USER"),
    (("database", "does not exist"), "has no database {database}: fix LABKIT_PG_DATABASE (it must exist)"),
    (("SSL",), "and this client disagree on TLS: fix LABKIT_PG_SSLMODE (disable, require, verify-full)"),
)
MYSQL_REFUSALS = {
    1045: "refused the password of user {user}: fix LABKIT_MYSQL_PASSWORD (or LABKIT_MYSQL_USER)",
    1044: "does not let user {user} use database {database}: fix LABKIT_MYSQL_DATABASE or the user's grants",
    1049: "has no database {database}: fix LABKIT_MYSQL_DATABASE (it must exist)",
}
REDIS_REFUSALS = (
    (("without any password configured",), "needs no password: unset LABKIT_REDIS_PASSWORD"),
    (("Authentication required",), "asks for a password: set LABKIT_REDIS_PASSWORD (and LABKIT_REDIS_USER "
                                   "for an ACL user)"),
    (("HELLO", "already authenticated"), "asks for a password: set LABKIT_REDIS_PASSWORD (and "
                                         "LABKIT_REDIS_USER for an ACL user)"),
    (("invalid", "password"), "refused the login: fix LABKIT_REDIS_PASSWORD (or LABKIT_REDIS_USER)"),
    (("SSL",), "and this client disagree on TLS: fix LABKIT_REDIS_TLS"),
)


def _meaning(refusals, text: str) -> str | None:
    return next((meaning for words, meaning in refusals if all(w in text for w in words)), None)

class LoginFailed(ConnectionError):
    """A server answered but refused the course's login; the message names the variable to fix."""


def _where(name: str) -> str:
    host, port = ENDPOINTS[name].address
    return f"{name} at {host}:{port}"


def wrong_kind(name: str) -> str | None:
    """Why ``name``'s address is not the server it should be, or None when it is."""
    expected, address = kinds.expected(name), ENDPOINTS[name].address
    if expected is None or kinds.answers(address, expected):
        return None
    found = kinds.which(address)
    return (f"{_where(name)} answers as {found or 'no server labkit knows'}, not {expected}: "
            f"point {ENDPOINTS[name].env_var} at a {expected} server")


def database_refusal(name: str, exc: sa.exc.DBAPIError, user: str, database: str) -> str:
    """The message for a refused first connection to database endpoint ``name``."""
    wrong = wrong_kind(name)
    if wrong:
        return wrong
    text = str(exc.orig).strip()
    if name.startswith("mysql-"):
        meaning = MYSQL_REFUSALS.get(exc.orig.args[0] if exc.orig.args else None)
    else:
        meaning = _meaning(PG_REFUSALS, text)
    first_line = text.splitlines()[0] if text else type(exc.orig).__name__
    if meaning is None:
        return f"{_where(name)} refused the course's connection ({first_line})"
    return f"{_where(name)} {meaning.format(user=user, database=database)} ({first_line})"


def check_database(name: str, engine: sa.engine.Engine, user: str, database: str) -> None:
    """Open one connection through ``engine``; a refusal raises LoginFailed naming the variable."""
    try:
        with engine.connect():
            return
    except sa.exc.DBAPIError as exc:
        raise LoginFailed(database_refusal(name, exc, user, database)) from None


def redis_refusal(name: str, exc: redis.RedisError) -> str:
    wrong = wrong_kind(name)
    if wrong:
        return wrong
    text = str(exc)
    meaning = _meaning(REDIS_REFUSALS, text)
    if meaning is None:
        return f"{_where(name)} refused the course's connection ({text}); check LABKIT_REDIS_PASSWORD and LABKIT_REDIS_TLS"
    return f"{_where(name)} {meaning} ({text})"


def check_redis(name: str, client: redis.Redis) -> None:
    """PING through ``client``; a refusal raises LoginFailed naming the variable."""
    try:
        client.ping()
    except redis.RedisError as exc:
        raise LoginFailed(redis_refusal(name, exc)) from None
