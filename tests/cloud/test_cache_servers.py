"""The cache servers labs rely on: Redis failover through Sentinel and back, lone nodes, settings."""
import pytest
import redis

from labkit import baseline, db
from labkit.endpoints import ENDPOINTS
from labkit.services import redis_users
from labkit.cache import (catalog, clients, failover, health, settings,
                          standalone)
from labkit.cache.eviction import ttl_herd


def test_a_crashed_redis_primary_is_replaced_and_heal_brings_the_pair_back():
    health.heal()
    clients.primary().set("labtest:failover", "kept")
    clients.primary().wait(1, 2000)
    old = failover.crash_primary()
    new, waited = failover.wait_for_new_primary(old, timeout=30)
    assert new != old and waited < 30
    assert clients.sentinel_primary().get("labtest:failover") == "kept"
    health.heal()
    assert health.problems() == [] and failover.primary_node() == new
    clients.primary().delete("labtest:failover")


def test_the_shared_redis_asks_for_a_login_and_keeps_the_app_user_to_its_acl():
    health.heal()
    host, port = ENDPOINTS["redis-primary"].address
    with pytest.raises(redis.AuthenticationError, match="[Aa]uthenticat"):
        redis.Redis(host=host, port=port, socket_timeout=2).set("lab-test:open", "1")
    app = clients.primary()
    app.set("lab-test:acl", "1", ex=60)
    with pytest.raises(redis.exceptions.NoPermissionError):
        app.config_set("maxmemory-policy", "allkeys-lru")
    with pytest.raises(redis.exceptions.NoPermissionError):
        app.set("other:key", "1")
    app.delete("lab-test:acl")


def test_heal_puts_back_users_a_lab_changed():
    admin = clients.redis_at("redis-primary", admin=True)
    admin.acl_setuser("intruder", enabled=True, nopass=True, commands=["+@all"], keys=["*"])
    admin.acl_setuser("default", enabled=True, nopass=True)
    left = [str(d) for d in baseline.deviations(set())]
    assert any("intruder" in d for d in left) and any("default user" in d for d in left), left
    health.heal()
    for node in ("redis-node1", "redis-node2"):
        users = clients.redis_at(node, admin=True)
        assert sorted(users.acl_users()) == sorted(redis_users.acl_rules()), users.acl_users()
        assert "off" in users.acl_getuser("default")["flags"]


def test_a_standalone_node_starts_empty_with_its_settings_and_stops():
    node = standalone.start("redis-standalone1", maxmemory="2mb", maxmemory_policy="allkeys-lru")
    assert node.dbsize() == 0 and node.config_get("maxmemory-policy")["maxmemory-policy"] == "allkeys-lru"
    node.set("test:x", "1")
    assert standalone.start("redis-standalone1").dbsize() == 0
    standalone.stop()
    with pytest.raises(ConnectionError, match="redis-standalone1 .* does not answer"):
        clients.redis_at("redis-standalone1")


def test_settings_changed_on_the_primary_are_set_back():
    primary = clients.redis_at("redis-primary", admin=True)  # the app user may not CONFIG SET
    with settings.changed(primary, maxmemory_policy="allkeys-lfu"):
        assert primary.config_get("maxmemory-policy")["maxmemory-policy"] == "allkeys-lfu"
    assert primary.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"


def test_the_catalogue_is_created_once_and_a_price_change_bumps_the_version():
    shop = catalog.Catalog(db.engine("pg-writer"), "test_catalog", products=500)
    try:
        assert shop.create() == 500
        with shop.engine.connect() as conn:
            page = shop.page(conn, 7)
            assert page["reviews"] == catalog.REVIEWS_PER_PRODUCT and len(page["related"]) == 3
            assert shop.set_price(conn, 7, "1.23") == page["version"] + 1
            conn.commit()
            assert shop.page(conn, 7)["price"] == "1.23" and shop.page(conn, 10_000) is None
        shop.create()
        with shop.engine.connect() as conn:
            assert shop.page(conn, 7)["version"] == 1, "create() resets prices and versions"
    finally:
        shop.drop()


def test_keys_stored_with_one_ttl_on_a_real_node_expire_and_reload_together():
    def store_same_ttl(cache, keys, ttl_s, jitter):  # lab 12's store, without the random spread
        pipe = cache.pipeline(transaction=False)
        for key in keys:
            pipe.set(key, "loaded", px=round(ttl_s * 1000))
        pipe.execute()

    node = standalone.start("redis-standalone1")
    try:
        herd = ttl_herd.run(node, store_same_ttl, 0.0, keys=50, ttl=0.2, duration=0.5, bucket=0.1,
                            sweep_every=0.02)
    finally:
        standalone.stop("redis-standalone1")
    assert herd.loads >= 50 and herd.peak == 50, herd
