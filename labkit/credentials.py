"""Logins for the servers: generated once per state folder, or taken from the environment.

The local cloud's passwords are random and kept in ``.labs/credentials.json``. The LABKIT_PG_* and
LABKIT_MYSQL_* variables replace them when the labs point at other servers (compose, a real cluster);
LABKIT_REDIS_* give the login of a Redis labkit did not start (the local one's users:
``labkit.services.redis_users``).
"""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass

from labkit import paths

SECRETS = ("pg_superuser", "pg_replication", "pg_rewind", "pg_lab", "mysql_root", "mysql_repl", "mysql_lab",
           "redis_lab", "redis_admin")


def local() -> dict[str, str]:
    """The generated passwords of this state folder (created on first use)."""
    path = paths.state_dir() / "credentials.json"
    stored = json.loads(path.read_text()) if path.exists() else {}
    missing = [k for k in SECRETS if k not in stored]
    if missing:
        stored.update({k: secrets.token_urlsafe(18) for k in missing})
        path.write_text(json.dumps(stored, indent=2))
        path.chmod(0o600)
    return stored


@dataclass(frozen=True)
class Login:
    user: str
    password: str
    database: str


def _login(prefix: str, default_password_key: str) -> Login:
    env = os.environ
    password = env.get(f"LABKIT_{prefix}_PASSWORD")
    return Login(
        user=env.get(f"LABKIT_{prefix}_USER", "lab"),
        password=password if password is not None else local()[default_password_key],
        database=env.get(f"LABKIT_{prefix}_DATABASE", "lab"),
    )


def pg() -> Login:
    """The course's PostgreSQL login (LABKIT_PG_USER / _PASSWORD / _DATABASE override it)."""
    return _login("PG", "pg_lab")


def mysql() -> Login:
    """The course's MySQL login (LABKIT_MYSQL_USER / _PASSWORD / _DATABASE override it)."""
    return _login("MYSQL", "mysql_lab")


def redis() -> dict[str, str | bool]:
    """Client options for a Redis labkit did not start: LABKIT_REDIS_USER and LABKIT_REDIS_PASSWORD
    (ElastiCache's AUTH token or an ACL user), LABKIT_REDIS_TLS=1 (in-transit encryption)."""
    env = os.environ
    options: dict[str, str | bool] = {}
    if env.get("LABKIT_REDIS_USER"):
        options["username"] = env["LABKIT_REDIS_USER"]
    if env.get("LABKIT_REDIS_PASSWORD"):
        options["password"] = env["LABKIT_REDIS_PASSWORD"]
    if env.get("LABKIT_REDIS_TLS", "").lower() in ("1", "yes", "true"):
        options["ssl"] = True
    return options
