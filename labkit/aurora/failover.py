"""Failover trials: cause a writer change, measure the outage a client sees, put the cluster back.

Three causes, as Aurora has them: the writer's database process crashes (Patroni notices within
a loop and promotes a replica), the whole writer node dies (nobody is left to release the leader
lease, so the others wait for it to expire: Patroni's ttl), and a planned switchover (the page's
request to Patroni's ``POST /switchover``, Aurora's ``failover-db-cluster``). During each trial the
page's write runs twice over: bare in the outage probe, and through the page's retry loop in the
application.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from labkit import cluster, db, tables
from labkit.aurora import outage, retrying_app

POSTMASTER_CRASH = "postmaster crash"
NODE_CRASH = "whole node crash"
SWITCHOVER = "planned switchover"
CAUSES = (POSTMASTER_CRASH, NODE_CRASH, SWITCHOVER)
WARM_UP_WRITES = 10  # the application's writes before the failover, and again after it


@dataclass(frozen=True)
class Trial:
    cause: str
    old_writer: str
    new_writer: str          # Patroni's new leader
    endpoint_node: str       # where the writer endpoint led once writes succeeded again
    outage: outage.Outage    # what the careless probe saw
    app: retrying_app.Tally  # what the retrying application saw
    lost: int                # writes acknowledged to it that the new writer does not have


@dataclass(frozen=True)
class Application:
    """The page's code the trials run: its engine, its write ``write(conn, order_id)``, its retry
    loop ``run(engine, operation, on_retry=...)`` and its switchover request
    ``switch_over(leader, candidate)``."""
    engine: Engine
    write: retrying_app.Write
    run: retrying_app.Run
    switch_over: Callable[[str, str], object]


def drop_tables(prefix: str) -> None:
    engine = db.engine("pg-writer", poolclass=sa.pool.NullPool)
    retrying_app.orders_table(prefix).drop(engine, checkfirst=True)


def a_replica(writer: str) -> str:
    return next(m.name for m in cluster.topology() if m.role == "reader" and m.name != writer)


def cause_failover(cause: str, switch_over: Callable[[str, str], object] | None = None) -> str:
    """Take the writer away by ``cause``; return the old writer's name. A switchover is the
    page's request, ``switch_over(leader, candidate)``."""
    if cause == POSTMASTER_CRASH:
        return cluster.crash_writer()
    if cause == NODE_CRASH:
        return cluster.crash_writer(whole_node=True)
    if cause == SWITCHOVER:
        if switch_over is None:
            raise ValueError("a switchover needs the page's switch_over(leader, candidate)")
        cluster.wait_healthy()
        old = cluster.writer()
        switch_over(old, a_replica(old))
        return old
    raise ValueError(f"unknown cause {cause!r}; use one of {', '.join(CAUSES)}")


def restore(cause: str) -> None:
    """Bring the old writer back as a replica and wait until every node streams."""
    if cause == SWITCHOVER:
        cluster.wait_healthy()  # Patroni restarts the old leader as a replica by itself
    else:
        cluster.heal()


def run_trial(cause: str, app: Application, orders: sa.Table, attempts: int = 2) -> Trial:
    """One failover by ``cause``, with the probe and the retrying application writing through the
    writer endpoint all along.

    On an overloaded machine Patroni may find no replica answering its health checks in time and,
    with nobody to fail over to, restart the crashed writer in place; such an attempt is not a
    failover, so it is repeated (up to ``attempts`` times in all).
    """
    for attempt in range(1, attempts + 1):
        cluster.wait_healthy()
        with (outage.Probe(app.write) as probe,
              retrying_app.RetryingApp(app.engine, app.write, app.run, orders) as writing):
            probe.wait_for(cluster.writer())
            writing.wait_for_writes(WARM_UP_WRITES)
            old = cause_failover(cause, app.switch_over)
            try:
                new, _ = cluster.wait_for_new_writer(old)
            except cluster.ClusterUnhealthy:
                if cluster.writer() != old or attempt == attempts:
                    raise
                continue  # restarted in place: try again
            probe.wait_for(new)
            writing.wait_for_writes(WARM_UP_WRITES)  # the application is writing to the new writer
        measured = outage.measure(probe.attempts, old)
        restore(cause)
        return Trial(cause, old, new, measured.new_node, measured, writing.tally, writing.missing())


def run_trials(counts: dict[str, int], prefix: str, app: Application) -> list[Trial]:
    """``counts[cause]`` trials of each cause, in turn, writing into the lab's fresh orders table
    (``{prefix}_orders``: one uuid primary key)."""
    orders = retrying_app.orders_table(prefix)
    drop_tables(prefix)
    orders.create(db.engine("pg-writer", poolclass=sa.pool.NullPool))
    return [run_trial(cause, app, orders) for cause, n in counts.items() for _ in range(n)]


def outage_table(trials: list[Trial]) -> str:
    """Markdown table: one row per trial."""
    return tables.markdown(["cause", "old writer", "new writer", "endpoint led to", "failed requests", "outage s"],
                           [[t.cause, t.old_writer, t.new_writer, t.endpoint_node, t.outage.failed,
                             f"{t.outage.seconds:.2f}"] for t in trials], align="llllrr")


def by_cause(trials: list[Trial]) -> dict[str, list[float]]:
    """Outage seconds grouped by cause, in the order the causes were run."""
    grouped: dict[str, list[float]] = {}
    for t in trials:
        grouped.setdefault(t.cause, []).append(t.outage.seconds)
    return grouped


def errors_seen(trials: list[Trial], first: int = 3, retried: bool = False) -> dict[str, list[str]]:
    """The distinct errors per cause: the probe's first ``first`` failures of each trial, or,
    with ``retried``, those the retrying application absorbed."""
    seen: dict[str, list[str]] = {}
    for t in trials:
        known = seen.setdefault(t.cause, [])
        errors = t.app.errors if retried else t.outage.errors[:first]
        known += [e for e in errors if e not in known]
    return seen


def app_table(trials: list[Trial]) -> str:
    """Markdown table: what the retrying application saw in each trial."""
    return tables.markdown(["cause", "operations", "failed", "retries", "slowest operation s", "acknowledged, then lost"],
                           [[t.cause, t.app.operations, t.app.failed, t.app.retries, f"{t.app.longest:.2f}", t.lost]
                            for t in trials], align="lrrrrr")
