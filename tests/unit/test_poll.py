import pytest

from labkit.poll import TimedOut, until


class Clock:
    """A fake clock: ``sleep`` moves it on instead of waiting."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def answers(*values):
    """A check that returns (or raises) ``values`` in turn, then keeps the last one."""
    values, calls = list(values), []

    def check():
        value = values[min(len(calls), len(values) - 1)]
        calls.append(value)
        if isinstance(value, BaseException):
            raise value
        return value

    check.calls = calls
    return check


def wait(check, timeout=1.0, **kwargs):
    clock = Clock()
    return until(check, timeout, "the thing", interval=0.1, clock=clock, sleep=clock.sleep, **kwargs)


def test_returns_the_first_truthy_answer():
    check = answers(None, [], "primary")
    assert wait(check) == "primary"
    assert check.calls == [None, [], "primary"]


def test_retries_the_named_transient_errors():
    check = answers(ConnectionError("refused"), ConnectionError("refused"), 42)
    assert wait(check, retry_on=(ConnectionError,)) == 42


def test_other_errors_propagate_at_once():
    check = answers(ConnectionError("refused"), 1)
    with pytest.raises(ConnectionError):
        wait(check, retry_on=(KeyError,))
    assert len(check.calls) == 1


def test_timeout_names_what_was_awaited_the_last_answer_and_the_hint():
    check = answers(None, [])
    with pytest.raises(TimedOut, match=r"^gave up waiting for the thing after 1 s; last seen: \[\]; run `x`$"):
        wait(check, hint=lambda: "run `x`")
    assert 11 <= len(check.calls) <= 12  # once at the start, every 0.1 s, and once past the deadline


def test_timeout_names_the_last_error_and_is_a_timeout_error():
    with pytest.raises(TimeoutError, match=r"after 0.5 s; last seen: ConnectionError: refused; see log$"):
        wait(answers(ConnectionError("refused")), timeout=0.5, retry_on=(ConnectionError,), hint="see log")


def test_a_false_answer_is_not_shown_and_the_error_type_can_be_named():
    class Stuck(RuntimeError, TimedOut):
        pass

    with pytest.raises(Stuck, match=r"^gave up waiting for the thing after 0 s$"):
        wait(answers(False), timeout=0, error=Stuck)


def test_checks_once_more_after_the_deadline():
    clock = Clock()

    def check():
        clock.now += 5  # each answer takes longer than the whole timeout
        return clock.now > 5

    assert until(check, 1, "slow", clock=clock, sleep=clock.sleep)
