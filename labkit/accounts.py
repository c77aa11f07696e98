"""Which account runs the servers.

PostgreSQL, MariaDB, memcached and PgBouncer refuse to run as root. As root, labkit runs every
daemon as one unprivileged account (``postgres`` by default, which the PostgreSQL package
creates; ``LABKIT_DAEMON_USER`` picks another); as a normal user, daemons run as that user.
"""
from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int


def switching_user() -> bool:
    return os.geteuid() == 0


def daemon_account() -> Account:
    if not switching_user():
        entry = pwd.getpwuid(os.geteuid())
    else:
        name = os.environ.get("LABKIT_DAEMON_USER", "postgres")
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            raise RuntimeError(
                f"labkit runs as root, so it starts the servers as the unprivileged account {name!r}, "
                f"which does not exist. Install PostgreSQL (it creates 'postgres') or set "
                f"LABKIT_DAEMON_USER to an existing unprivileged account."
            ) from None
        if entry.pw_uid == 0:
            raise RuntimeError(f"LABKIT_DAEMON_USER={name!r} is root; PostgreSQL and MariaDB refuse root.")
    return Account(entry.pw_name, entry.pw_uid, entry.pw_gid)


def popen_kwargs() -> dict:
    """Keyword arguments for subprocess.Popen that start a process as the daemon account."""
    if not switching_user():
        return {}
    acct = daemon_account()
    return {"user": acct.uid, "group": acct.gid, "extra_groups": []}


def give(path: Path, mode: int | None = None) -> Path:
    """Hand a file or folder labkit wrote to the daemon account (a no-op for normal users)."""
    if mode is not None:
        os.chmod(path, mode)
    if switching_user():
        acct = daemon_account()
        os.chown(path, acct.uid, acct.gid)
    return path


def write(path: Path, text: str, mode: int = 0o644) -> Path:
    """Write a config file the daemons read (and, for Sentinel, rewrite)."""
    path.write_text(text)
    return give(path, mode)
