"""The caching labs' harnesses on the real Redis primary and PostgreSQL writer, running lab 9's own
read and write functions: what the in-memory stand-ins of the unit tests cannot prove."""
import ast
import json
from pathlib import Path

import jupytext
import pytest

from labkit import db
from labkit.cache import catalog, clients, keyspace
from labkit.cache.strategies import invalidation_race, probe
from labkit.cache.strategies.strategy import Strategy

PREFIX = "labtest:strategies:"
LAB = Path(__file__).parents[2] / "labs" / "09-write-through.md"


@pytest.fixture(scope="module")
def shop():
    yield from catalogue("test_strategies", PREFIX, 50)


def catalogue(tables: str, prefix: str, products: int):
    """A fixture's catalogue of its own ``tables`` on the writer, dropped with the cached keys under ``prefix``."""
    shop = catalog.Catalog(db.engine("pg-writer"), tables, products=products)
    shop.create()
    yield shop
    shop.drop()
    keyspace.clear(clients.primary(), prefix)


def lab_functions(shop) -> dict:
    """The read and write functions lab 9 writes in its page (its cells of definitions only),
    defined over ``shop`` as the page defines them over its catalogue."""
    return cell_definitions(LAB, {"get_product", "write_price_and_delete", "save_product_if_newer"},
                            catalog=shop, json=json)


def cell_definitions(lab: Path, wanted: set[str], **namespace) -> dict:
    """Run the cells of ``lab`` that hold only definitions, in ``namespace``, and return it."""
    for cell in jupytext.read(lab).cells:
        if cell.cell_type == "code" and defines_only(cell.source):
            exec(cell.source, namespace)
    missing = wanted - namespace.keys()
    assert not missing, f"{lab.name} no longer defines {missing} in a cell of definitions only"
    return namespace


def defines_only(source: str) -> bool:
    """A cell of functions and constants, which runs nothing."""
    return all(isinstance(node, ast.FunctionDef)
               or isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
               for node in ast.parse(source).body)


def test_the_probe_tells_a_miss_from_a_hit_on_the_real_servers(shop):
    read = lab_functions(shop)["get_product"]
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
    lab = lab_functions(shop)
    cache = clients.primary()
    strategy = Strategy("delete on write", lab["get_product"], lab["write_price_and_delete"],
                        PREFIX + "race:", ttl=0.3)
    outcome = invalidation_race.delete_race(strategy, cache, shop.engine, 5)
    assert outcome.stored_version < outcome.db_version, outcome
    assert outcome.stale_reads > 0 and outcome.stale_for_s <= 0.3 + 1.0, outcome


def test_the_version_guarded_write_keeps_the_newer_page_in_a_race(shop):
    lab = lab_functions(shop)
    cache = clients.primary()
    strategy = Strategy("guarded", lab["get_product"], lab["save_product_if_newer"], PREFIX + "guarded:",
                        ttl=5)
    outcome = invalidation_race.update_race(strategy, cache, shop.engine, 6)
    assert outcome.stored_version == outcome.db_version and outcome.stale_reads == 0, outcome
