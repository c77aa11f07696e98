"""The shared Redis's logins, as ElastiCache's role-based access control sets them up: an
application user limited to the course's keys and to data commands, an admin user for the stage
(replication, Sentinel, HAProxy's health check, settings a parameter group would hold), and the
``default`` user switched off, so a client that does not log in is refused.

The passwords are generated once per state folder (``labkit.credentials``). The Sentinels' own
ports, the standalone nodes and the MemoryDB pair keep no login: they stand for servers a lab
creates, or for AWS's side of a failover, which ElastiCache does not expose.
"""
from __future__ import annotations

import redis

from labkit import credentials

APP_USER = "lab"
ADMIN_USER = "labkit-admin"
# The labs' keys start with "lab" (lab08:, lab10:session:, ...) or "book-" (book-ec01:, ...).
# Data commands on them, plus reading what the pages show: INFO, CONFIG GET, ROLE. Everything else
# in @dangerous (CONFIG SET, FLUSHALL, KEYS, DEBUG, ...) is the admin's, as ElastiCache keeps
# settings in parameter groups.
APP_RULES = ("~lab*", "~book-*", "&*", "+@all", "-@dangerous", "+info", "+config|get", "+role")
ADMIN_RULES = ("~*", "&*", "+@all")
DEFAULT_RULES = ("off", "resetkeys", "resetchannels", "-@all")


def acl_rules() -> dict[str, tuple[str, ...]]:
    """Each user's ACL SETUSER rules, its password included; each starts from ``reset``, so the
    same rules give the same user in redis.conf and at run time, whatever it was before."""
    return {"default": ("reset", *DEFAULT_RULES),
            APP_USER: ("reset", "on", f">{credentials.local()['redis_lab']}", *APP_RULES),
            ADMIN_USER: ("reset", "on", f">{credentials.local()['redis_admin']}", *ADMIN_RULES)}


def app_login() -> dict[str, str]:
    return {"username": APP_USER, "password": credentials.local()["redis_lab"]}


def admin_login() -> dict[str, str]:
    return {"username": ADMIN_USER, "password": credentials.local()["redis_admin"]}


def node_config() -> list[str]:
    """redis.conf lines: the users, and the login a replica gives its primary."""
    login = admin_login()
    return ([f"user {name} {' '.join(rules)}" for name, rules in acl_rules().items()]
            + [f"masteruser {login['username']}", f"masterauth {login['password']}"])


def sentinel_config(master: str) -> list[str]:
    """sentinel.conf lines: the login a Sentinel gives the nodes it monitors."""
    login = admin_login()
    return [f"sentinel auth-user {master} {login['username']}", f"sentinel auth-pass {master} {login['password']}"]


def reset(admin: redis.Redis) -> list[str]:
    """Put the users back as ``acl_rules`` says, through an admin client; return the users that
    differed (changed, added or removed by a lab)."""
    wanted = acl_rules()
    before = _users(admin)
    extra = [name for name in before if name not in wanted]
    if extra:
        admin.acl_deluser(*extra)
    for name, rules in wanted.items():
        admin.execute_command("ACL", "SETUSER", name, *rules)
    after = _users(admin)
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def drift(admin: redis.Redis) -> list[str]:
    """What a lab left changed in the users, as far as it shows without changing anything: users
    added or removed, the ``default`` user switched on (``reset`` puts back every rule too)."""
    users, wanted = set(admin.acl_users()), set(acl_rules())
    found = [f"has a user the course did not create: {name}" for name in sorted(users - wanted)]
    found += [f"lacks the user {name}" for name in sorted(wanted - users)]
    if "default" in users and "on" in admin.acl_getuser("default")["flags"]:
        found.append("lets the default user in")
    return found


def _users(admin: redis.Redis) -> dict[str, frozenset[str]]:
    """ACL LIST as user -> its rules (Redis may list a user's command rules in any order)."""
    return {line.split()[1]: frozenset(line.split()[2:]) for line in admin.acl_list()}
