"""Bring the cache servers back to what every lab expects: Redis primary + replica in sync, three
Sentinels agreeing on them, baseline settings, no standalone node left running.

Labs call ``heal()`` first and last, so they run in any order, after one that failed over Redis
or was interrupted halfway. A Redis labkit did not start (``labkit.external``) is only asked
whether it answers: its operator heals it, and ElastiCache refuses CONFIG SET anyway.
"""
from __future__ import annotations

import redis

from labkit import cloud, external, kinds, poll
from labkit.cache import clients, settings, standalone
from labkit.cache.clients import redis_at
from labkit.cache.failover import primary_node
from labkit.endpoints import ENDPOINTS, START_HINT
from labkit.services import haproxy, redis_users
from labkit.services.redis import (MASTER_NAME, NODES, SENTINELS, check_logins, replicating,
                                   sentinel_unsettled)


class CacheUnhealthy(poll.TimedOut):
    """The Redis pair or its Sentinels did not settle in time."""


def problems() -> list[str]:
    """What keeps the Redis pair from being healthy now; empty when it is."""
    if external.is_external("redis-primary"):
        answers = kinds.answers(ENDPOINTS["redis-primary"].address, kinds.REDIS)
        return [] if answers else [f"{external.describe('redis-primary')} does not answer as Redis"]
    try:
        return _problems()
    except (redis.RedisError, ConnectionError, LookupError) as exc:
        return [f"a cache server does not answer as expected yet: {exc}"]


def _problems() -> list[str]:
    primary = primary_node()
    found = []
    if redis_at(primary).role()[0] != "master":
        found.append(f"{primary} is named primary but is not one yet")
    if haproxy.routed("redis-primary")["redis-primary"] != {primary}:
        found.append(f"the redis-primary endpoint does not lead to {primary} alone yet")
    if int(clients.primary().info("server")["tcp_port"]) != ENDPOINTS[primary].bound_port:
        found.append(f"the redis-primary endpoint does not lead to {primary} yet")
    for node in NODES:
        if node == primary:
            continue
        if not replicating(redis_at(node).info("replication")):
            found.append(f"{node} does not replicate from {primary} yet")
    for name in SENTINELS:
        seen = redis_at(name).sentinel_master(MASTER_NAME)
        found += [f"{name} {problem}" for problem in sentinel_unsettled(seen)]
    return found


def wait_settled(timeout: float = 30.0) -> None:
    """Wait until ``problems()`` finds none; a node or endpoint that changed a moment ago (a
    check of HAProxy's that failed under load) gets that long to settle."""
    poll.until(lambda: not problems(), timeout, "a settled Redis pair", interval=0.2, error=CacheUnhealthy,
               hint=lambda: f"{'; '.join(problems())}. `{START_HINT}` restarts what is down")


def heal(timeout: float = 60.0) -> None:
    """Restart what is down, wait for a settled Redis pair, and reset every baseline setting and
    the users (a lab may have changed an ACL)."""
    standalone.stop()  # first, so bringing the cloud up does not wait for nodes about to go
    cloud.up(echo=lambda *_: None)
    if not external.is_external("redis-primary"):
        check_logins()
    wait_settled(timeout)
    if external.is_external("redis-primary"):
        return
    for node in NODES:
        admin = redis_at(node, admin=True)
        settings.reset(admin)
        redis_users.reset(admin)
