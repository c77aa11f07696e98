"""cache_outage: the read loop against a fake cache node that can be stopped; no servers."""
import json

import pytest
import sqlalchemy as sa
from cache_fakes import Conn, FakeRedis, VersionCatalog, lab08_functions

from labkit.cache.strategies import cache_outage


class FakeCatalog(VersionCatalog):
    def __init__(self, broken=()):
        super().__init__()
        self.broken = set(broken)

    def page(self, conn, product_id):
        if product_id in self.broken:
            raise sa.exc.OperationalError("SELECT", {}, Exception("server closed the connection"))
        return super().page(conn, product_id)


def read(catalog):
    return lab08_functions(catalog)[0]


def test_reads_go_on_from_the_database_while_the_node_is_down():
    node = FakeRedis()
    run = cache_outage.run(read(FakeCatalog()), node, Conn(), [1, 1, 1, 1, 1, 1], node=node, down=(2, 4))
    assert [r.source for r in run.readings] == [cache_outage.MISS, cache_outage.HIT,
                                                cache_outage.CACHE_DOWN, cache_outage.CACHE_DOWN,
                                                cache_outage.MISS, cache_outage.HIT]
    assert (run.answered, run.failed) == (6, 0)
    assert [run.phase(r) for r in run.readings] == ["before"] * 2 + ["during"] * 2 + ["after"] * 2
    assert len(run.latencies(cache_outage.CACHE_DOWN, "during")) == 2
    assert run.latencies(cache_outage.HIT, "during") == []
    assert run.cache_down_reads == 2
    assert json.loads(node.get("lab08:product:1"))["id"] == 1  # the new node was refilled


def test_a_read_that_raises_is_counted_as_failed_and_the_loop_goes_on():
    node = FakeRedis()
    run = cache_outage.run(read(FakeCatalog(broken={2})), node, Conn(), [1, 2, 3, 4], node=node, down=(1, 2))
    assert (run.answered, run.failed) == (3, 1)
    failed = run.readings[1]
    assert failed.source is None and failed.error.startswith("OperationalError: ")


@pytest.mark.parametrize("down", [(0, 2), (2, 2), (1, 4)])
def test_outage_must_fall_inside_the_run(down):
    node = FakeRedis()
    with pytest.raises(ValueError, match="two read numbers"):
        cache_outage.run(read(FakeCatalog()), node, Conn(), [1, 2, 3, 4], node=node, down=down)


def test_an_unknown_phase_is_refused():
    with pytest.raises(ValueError, match="phase must be one of"):
        cache_outage.OutageRun().latencies(cache_outage.HIT, "down")
