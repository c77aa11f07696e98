"""Wait until something is true: the one poller behind labkit's waits.

A server that is starting, a replica catching up, a new primary being elected: each is awaited
by asking again and again until the answer is yes. ``until`` asks, treats the transient errors
named in ``retry_on`` as "not yet" (any other error is a real one and propagates), and gives up
at a deadline with one ``TimedOut`` that says what was awaited, what it saw last, and what to do.
"""
from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")


class TimedOut(TimeoutError):
    """A wait gave up: the message names what was awaited and the last answer or error seen."""


def until(check: Callable[[], T], timeout: float, what: str, *, interval: float = 0.1,
          retry_on: tuple[type[BaseException], ...] = (), hint: str | Callable[[], str] = "",
          error: type[TimedOut] = TimedOut, clock: Callable[[], float] = time.monotonic,
          sleep: Callable[[float], None] = time.sleep) -> T:
    """Call ``check()`` every ``interval`` seconds until it returns something truthy; return that.

    ``check`` runs at least once, and once more after the deadline passes, so a slow machine
    that got there just in time is not failed. At the deadline raise ``error`` (a ``TimedOut``;
    a module may name its own subclass so that its callers can catch it):
    "gave up waiting for ``what`` after ``timeout`` s; last seen: ...; ``hint``". ``hint`` (or what
    it returns, called only then) is the state worth showing or the command that fixes it.
    """
    deadline = clock() + timeout
    last: object = None
    while True:
        past = clock() > deadline
        try:
            last = check()
        except retry_on as exc:
            last = exc
        else:
            if last:
                return last
        if past:
            raise error(_message(what, timeout, last, hint() if callable(hint) else hint))
        sleep(interval)


def _message(what: str, timeout: float, last: object, hint: str) -> str:
    seen = f"{type(last).__name__}: {last}" if isinstance(last, BaseException) else repr(last)
    parts = [f"gave up waiting for {what} after {timeout:g} s",
             *([f"last seen: {seen}"] if last is not None and last is not False else []), *([hint] if hint else [])]
    return "; ".join(parts)
