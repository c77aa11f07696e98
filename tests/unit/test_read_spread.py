"""Reads spread over Redis nodes: the reader threads, the run's figures, and the stale-read window."""
import math
import time

from labkit.cache import read_spread
from labkit.cache.read_spread import ReadRun


def test_every_reader_thread_uses_its_own_client_of_the_route():
    seen = []

    def read(client):
        seen.append(client)
        time.sleep(0.001)

    with read_spread.Readers(read, ["primary", "replica"]) as readers:
        while min(readers.counts) < 3:
            time.sleep(0.001)
    assert set(seen) == {"primary", "replica"}
    assert sum(readers.counts) == len(seen)


def test_a_run_shows_cpu_as_cores_and_each_node_s_share():
    run = ReadRun("spread", reads=3000, seconds=2.0, client_cpu_s=1.0,
                  server_cpu_s={"primary": 0.2, "replica": 0.2}, served={"primary": 50, "replica": 150})
    assert run.per_second == 1500
    assert run.cores(run.client_cpu_s) == 0.5
    table = read_spread.run_table([run])
    assert "| spread | 1,500 | 0.50 | 0.10 | 0.10 | 25% | 75% |" in table


def test_only_reads_that_saw_the_old_value_have_a_window():
    store = {"primary": None, "replica": None}
    lagging = iter([False, True, True, False, False, False, True])  # does the replica have it yet?

    def write(key, value):
        store["primary"] = value

    def read_replica(key):
        if next(lagging, True):
            store["replica"] = store["primary"]
        return store["replica"]

    windows = read_spread.read_after_write(write, read_replica, "k", trials=3)
    assert len(windows) == 2  # trial 1 and trial 3 first read the old value
    assert all(w >= 0 and not math.isnan(w) for w in windows)
