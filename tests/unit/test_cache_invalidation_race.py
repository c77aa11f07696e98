"""The invalidation races, played with threads over the in-memory stand-ins."""
import pytest

from labkit.cache.strategies import invalidation_race as race
from cache_fakes import FakeRedis, VersionCatalog


def test_a_slow_reader_puts_the_old_page_back_after_the_delete():
    cache, catalog = FakeRedis(), VersionCatalog()
    outcome = race.delete_race(cache, catalog, "t:", 4, ttl=0.1)
    assert (outcome.stored_version, outcome.db_version) == (1, 2)
    assert outcome.stale_reads >= 1 and 0.05 <= outcome.stale_for_s <= 0.5


def test_a_slow_writer_overwrites_the_newer_page():
    cache, catalog = FakeRedis(), VersionCatalog()
    outcome = race.update_race(cache, catalog, "t:", 4, ttl=0.1)
    assert (outcome.stored_version, outcome.db_version) == (2, 3)
    assert catalog.prices[4] == "3.00" and outcome.stale_reads >= 1


def test_a_slow_party_that_never_reads_the_database_is_reported(monkeypatch):
    monkeypatch.setattr(race, "STEP_TIMEOUT_S", 0.05)
    paused = race.PausedCatalog(VersionCatalog())
    with pytest.raises(race.RaceStuck, match="never read the database"):
        race._race(lambda: None, paused, lambda: 2)


def test_the_table_shows_both_versions():
    table = race.race_table([race.RaceOutcome("delete", 1, 2, 0.9, 80)])
    assert "| delete | 1 | 2 | 80 | 900 |" in table
