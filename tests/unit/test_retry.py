import psycopg
import pytest
import sqlalchemy as sa

from labkit.aurora.retry import is_retryable, retrying


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def failing(times, exc_factory):
    calls = {"n": 0}

    def fn():
        calls["n"] += 1
        if calls["n"] <= times:
            raise exc_factory()
        return "done"
    return fn, calls


def run(fn, clock, **kwargs):
    return retrying(fn, clock=clock, sleep=clock.sleep, jitter=lambda: 1.0, **kwargs)


def test_retries_retryable_errors_with_doubling_capped_delays():
    clock = FakeClock()
    fn, calls = failing(5, lambda: psycopg.OperationalError("server closed the connection"))
    outcome = run(fn, clock, first_delay=0.1, max_delay=0.5)
    assert outcome.value == "done" and outcome.retries == 5 and calls["n"] == 6
    assert clock.slept == pytest.approx([0.1, 0.2, 0.4, 0.5, 0.5])


def test_on_retry_sees_each_retried_error():
    clock, seen = FakeClock(), []
    fn, _ = failing(2, lambda: psycopg.errors.ReadOnlySqlTransaction("read-only"))
    run(fn, clock, on_retry=seen.append)
    assert [e.sqlstate for e in seen] == ["25006", "25006"]


def test_jitter_scales_each_delay():
    clock = FakeClock()
    fn, _ = failing(2, lambda: psycopg.OperationalError("refused"))
    retrying(fn, clock=clock, sleep=clock.sleep, jitter=lambda: 0.25, first_delay=0.2)
    assert clock.slept == pytest.approx([0.05, 0.1])


def test_other_errors_propagate_at_once():
    clock = FakeClock()
    fn, calls = failing(1, lambda: psycopg.errors.UniqueViolation("duplicate key"))
    with pytest.raises(psycopg.errors.UniqueViolation):
        run(fn, clock)
    assert calls["n"] == 1 and clock.slept == []


def test_gives_up_at_the_deadline_with_the_last_error():
    clock = FakeClock()
    fn, calls = failing(1000, lambda: psycopg.OperationalError("refused"))
    with pytest.raises(psycopg.OperationalError) as caught:
        run(fn, clock, deadline=2.0, first_delay=0.5, max_delay=0.5)
    assert clock.now <= 2.0 and calls["n"] == 5
    assert "gave up after 4 retries" in caught.value.__notes__[0]


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="first_delay"):
        retrying(lambda: 1, first_delay=2.0, max_delay=1.0)


@pytest.mark.parametrize("exc, expected", [
    (psycopg.OperationalError("connection refused"), True),
    (psycopg.errors.ReadOnlySqlTransaction("read-only"), True),
    (psycopg.errors.AdminShutdown("terminating connection"), True),
    (psycopg.errors.CannotConnectNow("starting up"), True),
    (psycopg.errors.UniqueViolation("duplicate"), False),
    (psycopg.errors.SyntaxError("typo"), False),
    (ValueError("not a database error"), False),
])
def test_which_errors_are_retryable(exc, expected):
    assert is_retryable(exc) is expected
    wrapped = sa.exc.DBAPIError("INSERT", {}, exc) if isinstance(exc, psycopg.Error) else exc
    assert is_retryable(wrapped) is expected
