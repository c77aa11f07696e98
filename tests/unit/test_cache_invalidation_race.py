"""The invalidation races, played with threads over the in-memory stand-ins."""
import pytest

from labkit.cache.strategies import invalidation_race as race
from labkit.cache.strategies.strategy import Strategy
from cache_fakes import FakeRedis, VersionCatalog, page_functions


def strategy(catalog, which):
    read, _, write_and_delete, write_through = page_functions(catalog)
    write = {"delete": write_and_delete, "update": write_through}[which]
    return Strategy(which, read, write, f"t:{which}:", ttl=0.1)


def test_a_slow_reader_puts_the_old_page_back_after_the_delete():
    cache, catalog = FakeRedis(), VersionCatalog()
    outcome = race.delete_race(strategy(catalog, "delete"), cache, catalog.engine, 4)
    assert (outcome.strategy, outcome.stored_version, outcome.db_version) == ("delete", 1, 2)
    assert outcome.stale_reads >= 1 and 0.05 <= outcome.stale_for_s <= 0.5


def test_a_slow_writer_overwrites_the_newer_page():
    cache, catalog = FakeRedis(), VersionCatalog()
    outcome = race.update_race(strategy(catalog, "update"), cache, catalog.engine, 4)
    assert (outcome.stored_version, outcome.db_version) == (2, 3)
    assert catalog.prices[4] == "3.00" and outcome.stale_reads >= 1


def test_a_slow_party_that_never_stores_is_reported(monkeypatch):
    monkeypatch.setattr(race, "STEP_TIMEOUT_S", 0.05)
    paused = race.PausedCache(FakeRedis())
    with pytest.raises(race.RaceStuck, match="never stored a page"):
        race._race(lambda: None, paused, lambda: 2)


def test_a_paused_set_that_is_never_released_gives_up():
    paused = race.PausedCache(FakeRedis(), timeout=0.01)
    with pytest.raises(race.RaceStuck, match="not released"):
        paused.set("t:k", "v")
    assert paused.about_to_store.is_set() and paused.get("t:k") is None


def test_a_script_that_stores_waits_too():
    class Scripted(FakeRedis):
        def eval(self, script, numkeys, key, value):
            return self.set(key, value)

    paused = race.PausedCache(Scripted())
    paused.go_on.set()
    assert paused.eval("return 1", 1, "t:k", "v") and paused.about_to_store.is_set()
    assert paused.get("t:k") == "v"


def test_the_table_shows_both_versions():
    table = race.race_table([race.RaceOutcome("delete", 1, 2, 0.9, 80)])
    assert "| delete | 1 | 2 | 80 | 900 |" in table
