"""The caching labs' harnesses on the real Redis primary and PostgreSQL writer, with page-shaped
read and write functions: what the in-memory stand-ins of the unit tests cannot prove."""
import json

import pytest

from labkit import db
from labkit.cache import catalog, clients, keyspace
from labkit.cache.strategies import invalidation_race, probe
from labkit.cache.strategies.strategy import Strategy

PREFIX = "labtest:strategies:"


@pytest.fixture(scope="module")
def shop():
    products = catalog.Catalog(db.engine("pg-writer"), "test_strategies", products=50)
    products.create()
    yield products
    products.drop()
    keyspace.clear(clients.primary(), PREFIX)


def functions(shop):
    """A lab's lazy read and its delete-on-write, in the shape lab 9 writes them."""
    def get_product(cache, conn, product_id, prefix, ttl):
        key = f"{prefix}product:{product_id}"
        cached = cache.get(key)
        if cached is not None:
            return json.loads(cached)
        page = shop.page(conn, product_id)
        cache.set(key, json.dumps(page), px=round(ttl * 1000))
        return page

    def write_price_and_delete(cache, conn, product_id, price, prefix, ttl):
        version = shop.set_price(conn, product_id, price)
        conn.commit()
        cache.delete(f"{prefix}product:{product_id}")
        return version

    return get_product, write_price_and_delete


def test_the_probe_tells_a_miss_from_a_hit_on_the_real_servers(shop):
    read, _ = functions(shop)
    cache = clients.primary()
    keyspace.clear(cache, PREFIX)
    with shop.engine.connect() as conn:
        watched = probe.Probe(cache, conn)
        miss = watched.watch(read, watched.cache, watched.conn, 3, PREFIX, 60)
        hit = watched.watch(read, watched.cache, watched.conn, 3, PREFIX, 60)
    assert [c.step for c in miss.calls] == [probe.GET, probe.SQL, probe.SET] and not miss.hit
    assert [c.step for c in hit.calls] == [probe.GET] and hit.hit
    assert hit.result == miss.result and miss.result["version"] >= 1
    assert 0 < cache.pttl(f"{PREFIX}product:3") <= 60_000


def test_a_slow_reader_leaves_an_old_page_that_its_ttl_removes(shop):
    read, write = functions(shop)
    cache = clients.primary()
    strategy = Strategy("delete on write", read, write, PREFIX + "race:", ttl=0.3)
    outcome = invalidation_race.delete_race(strategy, cache, shop.engine, 5)
    assert outcome.stored_version < outcome.db_version, outcome
    assert outcome.stale_reads > 0 and outcome.stale_for_s <= 0.3 + 1.0, outcome
