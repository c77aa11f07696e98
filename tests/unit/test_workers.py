"""The thread skeleton the load generators share: start, stop, name a blocked worker, raise a bug."""
import threading
import time

import pytest

from labkit.workers import Workers


class Counting(Workers):
    role = "counter"

    def __init__(self, threads, block=None, fail=None):
        super().__init__(threads)
        self.counts, self.block, self.fail = [0] * threads, block, fail

    def work(self, worker):
        if self.fail:
            raise self.fail
        if self.block is not None:
            self.block.wait()
        while not self.stopping.is_set():
            self.counts[worker] += 1
            time.sleep(0.001)


def test_every_worker_runs_until_the_block_ends():
    with Counting(3) as workers:
        time.sleep(0.05)
    assert all(workers.counts) and workers.started < workers.stopped


def test_a_bug_in_a_worker_is_raised_when_the_block_ends():
    with pytest.raises(RuntimeError, match=r"a counter failed: KeyError\('bug'\)"):
        with Counting(2, fail=KeyError("bug")):
            time.sleep(0.01)


def test_a_worker_still_blocked_after_the_stop_is_named():
    gate = threading.Event()
    workers = Counting(1, block=gate)
    workers.stop_timeout = 0.05
    with pytest.raises(RuntimeError, match="counter-0 still blocked 0 s after the stop"):
        with workers:
            pass
    gate.set()


def test_workers_need_at_least_one_thread():
    with pytest.raises(ValueError, match="at least one counter"):
        Counting(0)
