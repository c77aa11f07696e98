"""Clients for the cache endpoints, opened as an application would open them.

``primary()`` goes through the Redis primary endpoint (what an ElastiCache primary endpoint
is); ``sentinel_primary()`` asks the Sentinels who the primary is, as a Sentinel-aware client
does; ``memcached()`` spreads keys over the memcached nodes with pymemcache's HashClient, the
client-side sharding ElastiCache for Memcached relies on.
"""
from __future__ import annotations

import redis
from pymemcache.client.base import Client
from pymemcache.client.hash import HashClient
from redis.exceptions import ReadOnlyError
from redis.sentinel import Sentinel

from labkit import credentials, external, logins
from labkit.endpoints import ENDPOINTS, ServiceUnavailable, endpoint
from labkit.services import redis as redis_svc
from labkit.services.redis import MASTER_NAME, NODES, SENTINELS

MEMCACHED_NODES = ("memcached1", "memcached2")
# Every Redis client here: seconds to connect, seconds to wait for a reply, replies as str.
OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2, "decode_responses": True}


def _given(name: str, admin: bool) -> dict[str, str | bool]:
    """The login (and TLS) options for ``name``: labkit's users for its own Redis, LABKIT_REDIS_*
    for a Redis labkit did not start."""
    return credentials.redis() if external.is_external(name) else redis_svc.login(name, admin)


def login(name: str = "redis-primary", admin: bool = False) -> dict[str, str]:
    """The username and password to log in to ``name`` with: the course's app user (``admin``:
    the admin user labkit changes settings with), or LABKIT_REDIS_USER / _PASSWORD for a Redis
    labkit did not start; None for each where no login is asked (as redis-py takes them)."""
    given = _given(name, admin)
    return {"username": given.get("username"), "password": given.get("password")}


def redis_at(name: str, admin: bool = False, **kwargs) -> redis.Redis:
    """A client of one Redis endpoint, logged in as the app user (``admin``: the admin user); fails
    at once, naming the command to run, if it is down. A Redis labkit did not start gets the
    LABKIT_REDIS_* login, tried at once."""
    ep = endpoint(name)
    ep.check()
    host, port = ep.address
    client = redis.Redis(host=host, port=port, **{**_given(name, admin), **OPTIONS, **kwargs})
    if external.is_external(name):
        logins.check_redis(name, client)
    return client


def primary(**kwargs) -> redis.Redis:
    """The Redis primary endpoint (HAProxy follows whichever node is primary).

    After a failover, a connection opened before it may still lead to the demoted node, which
    answers writes with READONLY: like a client of ElastiCache's primary endpoint, this one then
    drops the connection and retries on a new one, which the endpoint sends to the new primary.
    """
    return redis_at("redis-primary", retry_on_error=[ReadOnlyError], **kwargs)


def sentinels(**kwargs) -> Sentinel:
    """The three Sentinels, as a Sentinel-aware client is configured: the Sentinels need no
    login, the nodes they lead to get the app user's."""
    for name in SENTINELS:
        ENDPOINTS[name].check()
    return Sentinel([ENDPOINTS[n].address for n in SENTINELS],
                    sentinel_kwargs={"socket_connect_timeout": 1, "socket_timeout": 1},
                    **{**OPTIONS, **login(NODES[0]), **kwargs})


def sentinel_primary(**kwargs) -> redis.Redis:
    """A client that asks the Sentinels for the primary on every new connection."""
    return sentinels(**kwargs).master_for(MASTER_NAME)


def replica_named_by(primary: redis.Redis) -> redis.Redis:
    """A client of the first replica ``primary`` lists in INFO replication, with the primary's login
    and options: where reads can go when no Sentinel names the replicas (a Redis labkit did not
    start; on ElastiCache the reader endpoint leads to one of them the same way)."""
    listed = primary.info("replication").get("slave0")
    if not listed:
        raise ServiceUnavailable(f"{external.describe('redis-primary')} lists no replica in INFO replication: "
                                 f"give it one, or point LABKIT_REDIS_PRIMARY at a primary that has one")
    pool = primary.connection_pool
    options = {**pool.connection_kwargs, "host": listed["ip"], "port": int(listed["port"])}
    return redis.Redis(connection_pool=redis.ConnectionPool(connection_class=pool.connection_class, **options))


def memcached_node(name: str, **kwargs) -> Client:
    """A client of one memcached node."""
    ep = endpoint(name)
    ep.check()
    return Client(ep.address, connect_timeout=1, timeout=1, **kwargs)


def memcached(nodes: tuple[str, ...] = MEMCACHED_NODES, **kwargs) -> HashClient:
    """Keys spread over ``nodes`` by rendezvous hashing (pymemcache's HashClient).

    Writes wait for the server's reply (HashClient does not by default), so a key just set is
    there for the next reader, on any connection."""
    for name in nodes:
        ENDPOINTS[name].check()
    options = {"connect_timeout": 1, "timeout": 1, "default_noreply": False, **kwargs}
    return HashClient([ENDPOINTS[n].address for n in nodes], **options)
