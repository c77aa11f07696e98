"""The experiment harnesses of labs 4, 8, 9 and 12 on the real servers (the Redis primary, the
PostgreSQL writer and replicas, a lone Redis), running the pages' own functions: the counts they
report must follow from what the real servers did, whatever the timing."""
import json
from decimal import Decimal
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from redis.backoff import NoBackoff
from redis.retry import Retry

from labkit import cluster, db
from labkit.aurora import manual_failover
from labkit.cache import clients, standalone, workload
from labkit.cache.eviction import eviction_run
from labkit.cache.strategies import cache_outage, hit_ratio, read_steps, staleness
from labkit.cache.strategies import strategy_comparison as comparison
from labkit.cache.strategies.strategy import Strategy
from test_cache_strategy_servers import catalogue, cell_definitions

PREFIX = "labtest:experiments:"
LABS = Path(__file__).parents[2] / "labs"
NODE = "redis-standalone1"


@pytest.fixture(scope="module")
def shop():
    yield from catalogue("test_experiments", PREFIX, 60)


def lab8(shop) -> dict:
    """Lab 8's cache-aside read and write, over ``shop`` and under this file's prefix."""
    return cell_definitions(LABS / "08-cache-aside.md", {"get_product", "update_price", "product_key"},
                            catalog=shop, json=json, redis=redis, PREFIX=PREFIX + "lab8:")


def lab9(shop) -> dict:
    return cell_definitions(LABS / "09-write-through.md", {"get_product", "write_price",
                                                          "write_price_and_delete", "save_product"},
                            catalog=shop, json=json)


def test_lab8_read_steps_time_a_database_read_a_miss_and_a_hit(shop):
    page = lab8(shop)
    with shop.engine.connect() as conn:
        reads = read_steps.time_reads(page["get_product"], shop.page, page["product_key"], clients.primary(),
                                      conn, [1, 7, 13])
    assert [r.kind for r in reads] == [read_steps.DATABASE_ONLY, read_steps.MISS, read_steps.HIT] * 3
    assert all(set(r.steps) == set(read_steps.STEPS) for r in reads if r.kind == read_steps.MISS)
    assert all(set(r.steps) == {read_steps.GET} for r in reads if r.kind == read_steps.HIT)
    medians = read_steps.medians_ms(reads)
    assert min(medians.database_only, medians.miss, medians.hit) > 0


def test_lab8_replay_hits_every_repeat_and_misses_after_each_invalidation(shop):
    page = lab8(shop)
    keys = workload.zipf(shop.products, 40, s=1.2, seed=3)
    distinct = len(set(keys.tolist()))
    with shop.engine.connect() as conn:
        replays = hit_ratio.compare(page["get_product"], page["update_price"], clients.primary(), conn,
                                    PREFIX + "lab8:", {"zipf": hit_ratio.Traffic(keys),
                                                       "always written": hit_ratio.Traffic(keys, write_share=1)})
    zipf, written = replays["zipf"], replays["always written"]
    assert sum(zipf.hits) == len(keys) - distinct and zipf.cached == distinct
    assert not any(zipf.hits[:1]) and not any(written.hits), "a read after a DEL found the key"
    assert written.cached == distinct


def test_lab8_a_stopped_cache_node_turns_reads_into_database_reads_and_none_fails(shop):
    page = lab8(shop)
    standalone.start(NODE)
    try:
        app_cache = clients.redis_at(NODE, socket_connect_timeout=1, socket_timeout=2, retry=Retry(NoBackoff(), 0))
        keys = [3, 3, 3, 3, 3, 5, 5, 5, 5, 5, 3, 3]
        with shop.engine.connect() as conn:
            outage = cache_outage.run(page["get_product"], app_cache, conn, keys,
                                      cache_outage.StandaloneNode(NODE), down=(4, 8))
    finally:
        standalone.stop(NODE)
    sources = [r.source for r in outage.readings]
    assert outage.failed == 0, [r.error for r in outage.readings if r.error]
    assert sources[:4] == [cache_outage.MISS] + [cache_outage.HIT] * 3
    assert sources[4:8] == [cache_outage.CACHE_DOWN] * 4 and outage.cache_down_reads == 4
    assert sources[8:] == [cache_outage.MISS, cache_outage.HIT] * 2, "the new node was not empty"
    assert outage.stopped_at < outage.replaced_at


def test_lab9_only_a_write_that_leaves_the_cached_page_lets_readers_see_the_old_one(shop):
    page = lab9(shop)
    cache = clients.primary()
    strategies = [Strategy("no invalidation", page["get_product"], page["write_price"], PREFIX + "stale-ttl:",
                           ttl=1),
                  Strategy("delete", page["get_product"], page["write_price_and_delete"], PREFIX + "stale-del:",
                           ttl=5),
                  Strategy("through", page["get_product"], page["save_product"], PREFIX + "stale-through:",
                           ttl=5)]
    with shop.engine.connect() as conn:
        kept, deleted, through = staleness.measure(strategies, cache, conn, 11)
        page_now = page["get_product"](cache, conn, 11, PREFIX + "stale-through:", 5)
        in_db = conn.execute(sa.text(f"SELECT price FROM {shop.product_table} WHERE id = 11")).scalar()
    assert kept.stale_reads > 0 and deleted.stale_reads == 0 and through.stale_reads == 0
    assert Decimal(str(page_now["price"])) == in_db


def test_lab9_strategies_on_the_same_operations_count_stale_reads_hits_and_unread_entries(shop):
    page = lab9(shop)
    cache = clients.primary()
    ops = [("read", 21), ("write", 21), ("read", 21), ("write", 22)]
    runs = comparison.compare([
        Strategy("kept", page["get_product"], page["write_price"], PREFIX + "cmp-kept:", ttl=30),
        Strategy("deleted", page["get_product"], page["write_price_and_delete"], PREFIX + "cmp-del:", ttl=30),
        Strategy("through", page["get_product"], page["save_product"], PREFIX + "cmp-through:", ttl=30),
    ], cache, shop, ops)
    kept, deleted, through = runs
    assert (kept.hit_ratio, kept.stale_reads, kept.stock.keys) == (0.5, 1, 1)
    assert (deleted.hit_ratio, deleted.stale_reads, deleted.stock.keys) == (0.0, 0, 1)
    assert (through.hit_ratio, through.stale_reads) == (0.5, 0)
    assert (through.stock.keys, through.stock.never_read_keys) == (2, 1) and through.stock.never_read_bytes > 0
    assert all(r.writes == 2 and r.reads == 2 for r in runs)
    mixed = comparison.mixed_workload(shop.products, 40, seed=4)
    (fresh,) = comparison.compare([Strategy("deleted", page["get_product"], page["write_price_and_delete"],
                                            PREFIX + "cmp-mixed:", ttl=30)], cache, shop, mixed)
    assert fresh.reads + fresh.writes == len(mixed) and fresh.stale_reads == 0


def test_lab12_a_full_lone_redis_evicts_under_lru_and_refuses_writes_under_noeviction():
    small = dict(maxmemory_mb=2, keys=4000, ttl_share=0, value_bytes=4000, requests=2000, duration=0.3)
    lru = eviction_run.run(eviction_run.Workload(policy="allkeys-lru", **small), prefix=PREFIX)
    refusing = eviction_run.run(eviction_run.Workload(policy="noeviction", **small), prefix=PREFIX)
    assert lru.last.evicted > 0 and lru.last.failed_writes == 0
    assert refusing.last.evicted == 0 and refusing.last.failed_writes > 0
    for run in (lru, refusing):
        assert run.last.maxmemory == 2 * 2**20 and run.last.expired == 0
        assert run.last.hits + run.last.misses == run.last.requests == 2000
    assert not any(standalone.daemon(name).running() for name in eviction_run.STANDALONE)


def test_lab4_replica_positions_read_as_superuser_are_not_ahead_of_the_writer():
    page = cell_definitions(LABS / "04-failover.md", {"wal_position", "in_recovery", "most_advanced"}, sa=sa)
    cluster.wait_healthy()
    replicas = [n.name for n in cluster.topology() if n.role == "reader"]
    positions = []
    for name in replicas:
        with manual_failover.superuser(name).connect() as conn:
            assert page["in_recovery"](conn) is True
            positions.append(manual_failover.Position(name, *page["wal_position"](conn)))
    with db.engine(cluster.writer(), poolclass=sa.pool.NullPool).connect() as conn:
        written = conn.execute(sa.text("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")).scalar()
    assert all(0 < p.received_bytes <= written and 0 < p.replayed_bytes <= written for p in positions), (
        positions, written)
    behind = manual_failover.bytes_behind(positions)
    assert behind[page["most_advanced"](positions)] == 0 and min(behind.values()) >= 0
    assert all(p.node in manual_failover.positions_table(positions) for p in positions)
