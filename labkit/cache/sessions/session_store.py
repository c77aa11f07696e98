"""The session store experiments: one user, two app instances, the session in Redis.

``visit`` asks an instance who the user is; ``sliding_ttl`` watches the session key's PTTL while
the user is active and then idle; ``failover_trial`` keeps the user clicking on both instances
while the Redis primary is killed and Sentinel promotes the replica, and records every request.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from itertools import cycle

import redis

from labkit import tables
from labkit.cache import failover
from labkit.cache.sessions.app_servers import INSTANCES, url
from labkit.cache.sessions.browser import Browser, Reply
from labkit.services import BY_NAME

SESSION_COOKIE = "session"   # Flask's default cookie name
SLOW_S = 0.5                 # a request slower than this counts as part of an outage


@dataclass(frozen=True)
class Visit:
    """One GET /whoami as the user saw it."""
    start: float            # seconds since the experiment began
    seconds: float          # how long the answer took
    instance: str
    status: int | None      # None when no answer came
    user: str | None        # who the instance recognised
    views: int | None       # the session's page-view counter after this visit

    @property
    def end(self) -> float:
        return self.start + self.seconds

    @property
    def recognised(self) -> bool:
        return self.status == 200 and self.user is not None

    @property
    def outcome(self) -> str:
        if self.recognised:
            return "recognised"
        return "asked to log in" if self.status == 401 else "error"


def login(browser: Browser, instance: str, user: str) -> Reply:
    """POST the login form to ``instance``; the session cookie lands in the browser's jar."""
    reply = browser.post(url(instance, "/login"), {"user": user})
    if reply.status != 200:
        raise RuntimeError(f"login on {instance} failed: {reply.status} {reply.body}")
    return reply


def visit(browser: Browser, instance: str, t0: float | None = None) -> Visit:
    """GET /whoami on ``instance``; ``t0`` is the experiment's start (time.monotonic()), if any."""
    start = time.monotonic() - t0 if t0 is not None else 0.0
    reply = browser.get(url(instance, "/whoami"))
    return Visit(start, reply.seconds, instance, reply.status, reply.body.get("user"),
                 reply.body.get("views"))


def session_key(browser: Browser, key_prefix: str) -> str:
    """The Redis key holding the browser's session: the prefix plus the cookie's session id."""
    sid = browser.cookie(SESSION_COOKIE)
    if sid is None:
        raise LookupError(f"the browser has no {SESSION_COOKIE!r} cookie: log in first")
    return key_prefix + sid


@dataclass
class TtlTrace:
    """PTTL of the session key over time, with the visits that renewed it."""
    lifetime_s: int
    samples: list[tuple[float, int]] = field(default_factory=list)   # (t, PTTL ms; -2 = gone)
    visits: list[Visit] = field(default_factory=list)                 # while active
    idle_from: float = 0.0        # end of the last active visit
    gone_at: float | None = None  # first sample that found no key
    after_idle: list[Visit] = field(default_factory=list)             # one per instance

    @property
    def active_s(self) -> float:
        return self.idle_from - self.visits[0].start

    @property
    def idle_s(self) -> float:
        """From the last active visit to the first visit after idling."""
        return self.after_idle[0].start - self.idle_from


def sliding_ttl(browser: Browser, store: redis.Redis, key: str, lifetime_s: int,
                active_s: float, every_s: float, sample_s: float = 0.1,
                max_idle_s: float | None = None) -> TtlTrace:
    """Visit the instances in turn every ``every_s`` for ``active_s``, then idle until the key
    is gone (at most ``max_idle_s``, default lifetime + 2 s), then visit each instance once.
    PTTL is sampled every ``sample_s`` throughout.

    The cookie's Expires date has whole-second resolution, so the browser may drop the cookie
    up to a second early: keep ``every_s`` well under ``lifetime_s - 1``."""
    trace, t0 = TtlTrace(lifetime_s), time.monotonic()
    instances, next_visit = cycle(INSTANCES), 0.0
    while (now := time.monotonic() - t0) < active_s:
        if now >= next_visit:
            trace.visits.append(visit(browser, next(instances), t0))
            next_visit += every_s
        trace.samples.append((time.monotonic() - t0, store.pttl(key)))
        time.sleep(sample_s)
    trace.idle_from = trace.visits[-1].end
    deadline = trace.idle_from + (max_idle_s if max_idle_s is not None else lifetime_s + 2)
    while (now := time.monotonic() - t0) < deadline and trace.gone_at is None:
        pttl = store.pttl(key)
        trace.samples.append((now, pttl))
        if pttl == -2:
            trace.gone_at = now
        time.sleep(sample_s)
    trace.after_idle = [visit(browser, instance, t0) for instance in INSTANCES]
    return trace


class VisitLoop:
    """A thread that visits the instances in turn every ``every_s`` and records each visit."""

    def __init__(self, browser: Browser, every_s: float):
        self.browser, self.every_s = browser, every_s
        self.t0 = time.monotonic()
        self.visits: list[Visit] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> float:
        return time.monotonic() - self.t0

    def _run(self) -> None:
        for instance in cycle(INSTANCES):
            if self._stop.is_set():
                return
            self.visits.append(visit(self.browser, instance, self.t0))
            self._stop.wait(self.every_s)

    def answered_since(self, t: float) -> int:
        """Visits started at ``t`` or later that got a definite answer (recognised or not)."""
        return sum(1 for v in list(self.visits) if v.start >= t and v.status in (200, 401))

    def __enter__(self) -> "VisitLoop":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def replicate_now(store: redis.Redis, marker: str, timeout_ms: int = 5000) -> int:
    """Write ``marker`` and WAIT for a replica to acknowledge it; return how many did.

    Replication is ordered, so a replica that has the marker has every earlier write too,
    among them the session as it was before this call.
    """
    pipe = store.pipeline(transaction=False)
    pipe.set(marker, time.time())
    pipe.wait(1, timeout_ms)
    return pipe.execute()[-1]


@dataclass(frozen=True)
class Outage:
    start: float     # start of the first failed or slow visit after the crash
    end: float       # end of the last one
    bad_visits: int

    @property
    def seconds(self) -> float:
        return self.end - self.start


def outage(visits: list[Visit], crash_at: float, slow_s: float = SLOW_S) -> Outage:
    """The span of failed or slow visits among those still running at or after ``crash_at``."""
    bad = [v for v in visits if v.end >= crash_at and (not v.recognised or v.seconds > slow_s)]
    if not bad:
        return Outage(crash_at, crash_at, 0)
    return Outage(min(v.start for v in bad), max(v.end for v in bad), len(bad))


@dataclass(frozen=True)
class FailoverTrial:
    visits: list[Visit]
    crash_at: float         # seconds since the loop began
    promoted_at: float      # when a new primary accepted writes
    old_primary: str
    new_primary: str
    replicas_acked: int     # replicas that confirmed every write before the crash
    outage: Outage

    def views_around_crash(self) -> tuple[int, int]:
        """The page-view counter at the last answer before the crash and the first after."""
        before = [v for v in self.visits if v.end < self.crash_at and v.recognised]
        after = [v for v in self.visits if v.start > self.crash_at and v.recognised]
        if not before or not after:
            raise ValueError("need a recognised visit on each side of the crash")
        return before[-1].views, after[0].views


def failover_trial(browser: Browser, store: redis.Redis, marker: str, every_s: float = 0.1,
                   before_s: float = 1.0, answers_after: int = 10,
                   timeout: float = 30.0) -> FailoverTrial:
    """Visit the instances in turn while the Redis primary is killed; record every visit.

    Before the crash the lab WAITs until a replica has every write so far, so the session
    cannot be among the writes a failover may lose. Once the replica is promoted, the killed
    node is started again, as ElastiCache replaces a failed node, and the Sentinels make it a
    replica of the new primary. The loop runs on until ``answers_after`` visits have been
    answered again (or ``timeout``).
    """
    with VisitLoop(browser, every_s) as loop:
        time.sleep(before_s)
        acked = replicate_now(store, marker)
        crash_at = loop.now()
        old = failover.crash_primary()
        new, _ = failover.wait_for_new_primary(old, timeout=timeout)
        promoted_at = loop.now()
        BY_NAME[old].start()
        deadline = time.monotonic() + timeout
        while loop.answered_since(promoted_at) < answers_after and time.monotonic() < deadline:
            time.sleep(every_s)
    return FailoverTrial(loop.visits, crash_at, promoted_at, old, new, acked,
                         outage(loop.visits, crash_at))


def visits_table(visits: list[Visit], times: bool = True) -> str:
    """A Markdown table: one row per visit, as the user's browser saw it."""
    header = ["instance", "status", "recognised as", "page views", "latency ms"]
    rows = [[v.instance, v.status or "no answer", v.user, v.views, f"{v.seconds * 1000:.1f}"]
            for v in visits]
    if times:
        header = ["t (s)"] + header
        rows = [[f"{v.start:.2f}"] + row for v, row in zip(visits, rows)]
    return tables.markdown(header, rows, align=("r" if times else "") + "lrlrr")
