"""The probe that watches a page's read and write functions; in-memory cache and catalogue."""
import pytest
import redis
from cache_fakes import Conn, FakeRedis, VersionCatalog, lab08_functions

from labkit.cache.strategies import probe as p


def test_a_miss_then_a_hit_are_told_apart_and_each_trip_is_timed():
    catalog, cache = VersionCatalog(), FakeRedis()
    read, _ = lab08_functions(catalog)
    probe = p.Probe(cache, Conn())
    miss = probe.watch(read, probe.cache, probe.conn, 3)
    hit = probe.watch(read, probe.cache, probe.conn, 3)
    assert (miss.hit, hit.hit) == (False, True) and miss.result == hit.result
    assert [c.step for c in miss.calls] == [p.GET, p.SQL, p.SET]
    assert [c.step for c in hit.calls] == [p.GET]
    assert miss.steps() == {p.GET: 1, p.SQL: 1, p.SET: 1}
    assert miss.keys_read() == {"lab08:product:3"}
    assert miss.seconds >= miss.seconds_in(p.SQL) >= 0


def test_a_cache_that_does_not_answer_is_seen_and_the_read_goes_on():
    cache = FakeRedis()
    cache.stop()
    read, _ = lab08_functions(VersionCatalog())
    probe = p.Probe(cache, Conn())
    seen = probe.watch(read, probe.cache, probe.conn, 1)
    assert seen.cache_failed and not seen.hit and seen.result["id"] == 1
    assert [(c.step, c.failed) for c in seen.calls] == [(p.GET, True), (p.SQL, False)]


def test_an_error_reaches_the_caller_as_it_is():
    cache = FakeRedis()
    cache.stop()
    probe = p.Probe(cache, Conn())
    with pytest.raises(redis.ConnectionError):
        probe.watch(lambda c, conn: c.set("k", "v"), probe.cache, probe.conn)
    assert probe.log[-1].failed and probe.log[-1].step == p.SET


def test_other_commands_and_commit_pass_through_unrecorded():
    cache, conn = FakeRedis(), Conn()
    probe = p.Probe(cache, conn)
    probe.cache.unlink("k")
    probe.conn.commit()
    assert probe.log == [] and probe.conn.statements == 0
