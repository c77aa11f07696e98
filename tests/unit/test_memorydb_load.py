"""The load loop that calls a lab's own function: what counts as acknowledged, and what stops it."""
import time

import pytest
import redis

from labkit.memorydb import load


def test_every_call_that_returned_is_kept_with_its_own_key():
    seen = []
    done = load.run(lambda client, key: seen.append(key), client=None, prefix="p:", threads=2, seconds=0.05)
    assert done.calls and len(done.calls) == len(seen)
    assert len({c.key for c in done.calls}) == len(done.calls)  # never reused
    assert {c.key.split(":")[1] for c in done.calls} == {"0", "1"}
    assert all(done.started <= c.at <= done.stopped for c in done.calls)


def test_a_redis_error_is_counted_by_name_and_is_not_an_acknowledgement():
    class NotDurable(redis.RedisError):
        pass

    def write(client, key):
        if key.endswith(("1", "3", "5", "7", "9")):
            raise NotDurable(key)

    done = load.run(write, client=None, prefix="p:", threads=1, seconds=0.1)
    assert done.errors["NotDurable"] > 0 and done.calls
    assert all(not c.key.endswith(("1", "3", "5", "7", "9")) for c in done.calls)


def test_any_other_exception_is_a_bug_and_is_raised_when_the_load_ends():
    def broken(client, key):
        raise ZeroDivisionError("bug")

    with pytest.raises(RuntimeError, match="a worker failed: ZeroDivisionError"):
        load.run(broken, client=None, prefix="p:", threads=1, seconds=0.01)


def test_cycle_makes_the_workers_go_round_the_same_keys():
    done = load.run(lambda client, key: None, client=None, prefix="p:", threads=1, seconds=0.05, cycle=3)
    assert {c.key for c in done.calls} == {"p:0:0", "p:0:1", "p:0:2"}
    assert load.key_name("p:", 4, 7) == "p:4:7"


def test_between_selects_calls_by_when_they_returned():
    with load.Load(lambda client, key: time.sleep(0.001), None, "p:", threads=1) as running:
        time.sleep(0.05)
        middle = time.monotonic()
        time.sleep(0.05)
    assert running.between(running.started, middle) and running.between(middle, running.stopped)
    assert len(running.between(running.started, middle)) + len(running.between(middle, running.stopped + 1)) \
        == len(running.calls)


@pytest.mark.parametrize("threads, cycle", [(0, None), (1, 0)])
def test_a_load_needs_a_worker_and_a_key(threads, cycle):
    with pytest.raises(ValueError):
        load.Load(lambda client, key: None, None, "p:", threads=threads, cycle=cycle)
