"""Without Sentinels, reads find a replica in what the primary lists, logged in as the primary's clients."""
import pytest
import redis

from labkit.cache import clients
from labkit.endpoints import ServiceUnavailable


def _primary(replication: dict) -> redis.Redis:
    primary = redis.Redis(host="10.0.0.1", port=6379, username="app", password="pw", ssl=True,
                          decode_responses=True)
    primary.info = lambda section: replication  # no server: only what INFO replication would say
    return primary


def test_the_replica_gets_the_first_listed_address_and_the_primarys_login_and_tls():
    replica = clients.replica_named_by(_primary({"role": "master", "connected_slaves": 2,
                                                 "slave0": {"ip": "10.0.0.2", "port": 6380, "state": "online"},
                                                 "slave1": {"ip": "10.0.0.3", "port": 6379, "state": "online"}}))
    kwargs = replica.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"]) == ("10.0.0.2", 6380)
    assert (kwargs["username"], kwargs["password"], kwargs["decode_responses"]) == ("app", "pw", True)
    assert replica.connection_pool.connection_class is redis.SSLConnection


def test_a_primary_without_replicas_says_what_to_fix(monkeypatch):
    monkeypatch.setenv("LABKIT_REDIS_PRIMARY", "10.0.0.1:6379")
    with pytest.raises(ServiceUnavailable, match="lists no replica.*LABKIT_REDIS_PRIMARY"):
        clients.replica_named_by(_primary({"role": "master", "connected_slaves": 0}))
