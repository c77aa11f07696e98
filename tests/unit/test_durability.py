"""The durability experiment's pure parts: what counts as acknowledged and lost, the summaries,
the tables and the figure, with fake connections and fake trials (no servers)."""
from __future__ import annotations

import time

import matplotlib
import pytest
import sqlalchemy as sa

from labkit.aurora import durability
from labkit.aurora import durability_report as report
from labkit.aurora.durability import Ack, AckedWriters, Trial

matplotlib.use("Agg")


class FakeOrig(Exception):
    def __init__(self, sqlstate: str | None):
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def db_error(sqlstate: str | None, invalidated: bool = False) -> sa.exc.DBAPIError:
    return sa.exc.OperationalError("COMMIT", {}, FakeOrig(sqlstate), connection_invalidated=invalidated)


@pytest.mark.parametrize("sqlstate, invalidated, kind", [
    ("25006", False, "read-only (25006)"),
    (None, False, "connection"),
    ("08006", False, "connection"),
    ("57P01", False, "connection"),
    ("23505", True, "connection"),
    ("23505", False, "SQLSTATE 23505"),
])
def test_errors_are_tallied_by_kind(sqlstate, invalidated, kind):
    assert durability.error_kind(db_error(sqlstate, invalidated)) == kind


class FakeConnection:
    """Every third COMMIT fails as if the writer died under it; every fifth write is refused as
    by a node that is a replica again (SQLSTATE 25006), before anything is committed."""

    def __init__(self, log: list, tried: list):
        self.log, self.tried = log, tried
        self.pending = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, row):
        self.tried.append(row)
        if len(self.tried) % 5 == 0:
            raise db_error("25006")
        self.pending = (row["writer"], row["seq"])

    def commit(self):
        self.log.append(self.pending)
        if len(self.log) % 3 == 0:
            raise db_error(None, invalidated=True)


def fake_write(conn: FakeConnection, row: dict, setting: str) -> None:
    """The lab's write in miniature: one statement, then COMMIT."""
    assert setting == "on"
    conn.execute(row)
    conn.commit()


class FakeEngine:
    def __init__(self, fail_with: Exception | None = None):
        self.committed: list = []
        self.tried: list = []
        self.fail_with = fail_with

    def connect(self):
        if self.fail_with is not None:
            raise self.fail_with
        return FakeConnection(self.committed, self.tried)


def test_a_write_that_broke_the_connection_is_in_doubt_never_acknowledged(monkeypatch):
    monkeypatch.setattr(durability, "BACKOFF", 0.0)
    engine = FakeEngine()
    with AckedWriters(engine, fake_write, "on", "trial", threads=3) as writers:
        time.sleep(0.05)
    acked = [(a.writer, a.seq) for a in writers.acks]
    assert acked and writers.in_doubt
    assert not set(acked) & set(writers.in_doubt)
    assert len(set(acked)) == len(acked), "an id was reused"
    assert set(acked) | set(writers.in_doubt) == set(engine.committed)
    assert {row["trial"] for row in engine.tried} == {"trial"}
    refused = writers.errors["read-only (25006)"]
    assert refused and writers.errors == {"connection": len(writers.in_doubt), "read-only (25006)": refused}


def test_a_writer_that_breaks_for_another_reason_is_reported():
    with pytest.raises(RuntimeError, match="a writer failed"):
        with AckedWriters(FakeEngine(fail_with=KeyError("bug")), fake_write, "on", "trial", threads=2):
            time.sleep(0.01)


def test_throughput_and_latency_count_only_commits_before_the_crash():
    acks = [Ack(0, 1, at=10.5, seconds=0.002), Ack(1, 1, at=11.0, seconds=0.004),
            Ack(0, 2, at=12.5, seconds=0.100)]
    rate, latencies = durability.before(acks, started=10.0, crashed=12.0)
    assert rate == pytest.approx(1.0) and latencies == [0.002, 0.004]
    with pytest.raises(ValueError, match="after the start"):
        durability.before(acks, started=12.0, crashed=12.0)


def test_bad_crash_or_no_mode_names_the_choices():
    with pytest.raises(ValueError, match="whole node"):
        durability.run_trial("async", "local", "power cut", fake_write, missing=lambda *_: set())
    with pytest.raises(ValueError, match="'quorum': 'on'"):
        durability.run_trials(["postmaster"], fake_write, {}, missing=lambda *_: set())


def trial(mode: str, lost: int, throughput: float, latency_ms: list[float], crash="postmaster") -> Trial:
    return Trial(mode=mode, crash=crash, old_writer="pg-node1", new_writer="pg-node2", failover_s=1.2,
                 acknowledged=1000, lost=lost, in_doubt=8, in_doubt_kept=3, throughput=throughput,
                 latency_s=[ms / 1000 for ms in latency_ms], errors={"connection": 16, "read-only (25006)": 2})


TRIALS = [trial("async", 3, 500.0, [1, 2, 3]), trial("quorum", 0, 400.0, [2, 4, 6]),
          trial("async", 0, 700.0, [1, 1, 1], crash="whole node"), trial("quorum", 0, 300.0, [4, 4, 4])]


def test_mode_summary_adds_up_the_trials():
    summary = report.mode_summary(TRIALS)
    assert list(summary) == ["async", "quorum"]
    assert vars(summary["async"]) == pytest.approx({"trials": 2, "acknowledged": 2000, "lost": 3, "worst": 3,
                                                    "throughput": 600.0, "p50_ms": 1.0, "p99_ms": 2.95})
    assert summary["quorum"].lost == 0 and summary["quorum"].p50_ms == pytest.approx(4.0)


def test_trial_table_has_one_row_per_trial_in_order():
    lines = report.trial_table(TRIALS).splitlines()
    assert len(lines) == 2 + len(TRIALS)
    assert lines[2].startswith("| 1 | async | postmaster | pg-node1 → pg-node2 | 1.2 | 1000 | 3 | 8 (3) | 500 |")
    assert "connection 16, read-only (25006) 2" in lines[2]
    assert "whole node" in lines[4]


def test_mode_table_and_figure():
    assert "| quorum | 2 | 2000 | 0 | 0 | 350 |" in report.mode_table(TRIALS)
    fig = report.plot_trials(TRIALS)
    assert len(fig.axes) == 3
    assert [round(b.get_height()) for b in fig.axes[0].patches] == [3, 0, 0, 0]
