import json
import threading

import pytest

from labkit.cache.engines import data_structures as ds


class FakeMemcached:
    """gets/cas/set/get over one shared dict, with a version per key like memcached's cas token;
    a missing key answers as pymemcache does: None from get, (None, None) from gets, None from cas."""

    store: dict = {}
    lock = threading.Lock()

    def set(self, key, value, noreply=True):
        with self.lock:
            self.store[key] = (value, self.store.get(key, (None, 0))[1] + 1)
        return True

    def get(self, key):
        return self.store.get(key, (None, None))[0]

    def gets(self, key):
        with self.lock:
            return self.store.get(key, (None, None))

    def cas(self, key, value, token, noreply=True):
        with self.lock:
            if key not in self.store:
                return None
            if self.store[key][1] != token:
                return False
            self.store[key] = (value, token + 1)
            return True


class ConflictEveryOther(FakeMemcached):
    """Every other cas meets a conflict, as if another writer got in first: one retry per event."""

    calls = 0

    def cas(self, key, value, token, noreply=True):
        ConflictEveryOther.calls += 1
        if self.calls % 2:
            return False
        return super().cas(key, value, token)


@pytest.fixture(autouse=True)
def empty_memcached():
    """Every test starts on an empty shared store, with no cas call counted yet."""
    FakeMemcached.store, ConflictEveryOther.calls = {}, 0


def test_score_events_are_deterministic_and_checked():
    assert ds.score_events(50, seed=3) == ds.score_events(50, seed=3)
    assert ds.score_events(50, seed=3) != ds.score_events(50, seed=4)
    with pytest.raises(ValueError, match="at least one event"):
        ds.score_events(0)


def test_expected_board_sorts_by_score_then_name():
    events = [ds.ScoreEvent("b", 5), ds.ScoreEvent("a", 5), ds.ScoreEvent("c", 7), ds.ScoreEvent("b", 1)]
    assert ds.expected_board(events) == [("c", 7), ("b", 6), ("a", 5)]


def add_score_cas(mc, board, player, points):
    """The page's read-modify-write, as lab 11 writes it."""
    while True:
        raw, version = mc.gets(board)
        scores = json.loads(raw)
        scores[player] = scores.get(player, 0) + points
        if mc.cas(board, json.dumps(scores).encode(), version, noreply=False):
            return


def read_board_cas(mc, board):
    return json.loads(mc.get(board))


def feed(client_class, events, threads):
    client_class().set("k", b"{}")
    return ds.feed_board("Memcached", client_class, "k", events, threads, add=add_score_cas, read=read_board_cas)


def test_memcached_board_is_correct_under_threads():
    events = ds.score_events(400)
    run = feed(FakeMemcached, events, threads=4)
    assert run.matches(ds.expected_board(events))
    assert run.round_trips == 2 * (len(events) + run.retries)


def test_memcached_conflicts_are_retried_and_counted():
    events = ds.score_events(20)
    run = feed(ConflictEveryOther, events, threads=1)
    assert run.retries == len(events)
    assert run.matches(ds.expected_board(events))
    assert json.loads(FakeMemcached.store["k"][0])


def test_an_error_in_a_thread_reaches_the_caller():
    def add(client, board, player, points):
        raise RuntimeError(f"gave up on {board!r}")

    with pytest.raises(RuntimeError, match="gave up"):
        ds.feed_board("Memcached", FakeMemcached, "k", ds.score_events(3), 2, add=add, read=read_board_cas)


def test_a_board_that_reads_back_wrong_does_not_match():
    events = ds.score_events(30)
    run = ds.feed_board("Redis", FakeMemcached, "k", events, 2, add=lambda *args: None,
                        read=lambda client, board: {"nobody": 1.0})
    assert run.board == [("nobody", 1)] and not run.matches(ds.expected_board(events))
    assert run.round_trips == 0 and run.retries == 0


def test_board_table_has_a_row_per_run():
    run = ds.BoardRun("Redis sorted set", 8, 100, [("a", 1)], 100, 0, 0.5)
    assert "| Redis sorted set | 8 | 100 | 100 | 0 | 0.50 | 200 |" in ds.board_table([run])


def test_threads_must_be_positive():
    with pytest.raises(ValueError, match="thread"):
        feed(FakeMemcached, ds.score_events(3), threads=0)
