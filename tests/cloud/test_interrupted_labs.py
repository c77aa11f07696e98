"""A lab stopped halfway leaves nothing behind: the next lab passes and the cloud is at its baseline.

Each case runs a lab in a kernel of its own, as JupyterLab does, up to a point inside its longest
step, and stops it there: with the Stop button (an interrupt: the lab's own clean-up runs) or by
killing the kernel (nothing runs: the next lab's first cell restores the baseline). Then the lab
that follows runs whole, and ``./course status`` must find a healthy cloud at its baseline.

Every run has the case learners hit first, lab 3's quorum trials killed halfway and then lab 4's
failovers, plus one more case chosen by a seed that the test's name shows (``LABKIT_INTERRUPT_SEED=N``
picks it again). Seeds 0 to 13 cover every case in both ways.
"""
from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel
from myst_nb.core.read import read_myst_markdown_notebook

from labkit import baseline, cluster
from labkit.cache import health

LABS = Path(__file__).parents[2] / "labs"
# Changes a lab makes inside one step and undoes on the way out, even when interrupted.
UNDONE_ON_INTERRUPT = ("commits wait for replicas", " runs with ", " is out of the ")


@dataclass(frozen=True)
class Case:
    lab: str          # file name under labs/
    step: str         # text of the cell to stop in: the lab's longest step
    after_s: float    # seconds into that cell
    then: str         # the lab that runs next

    def __str__(self) -> str:
        return f"{self.lab} stopped {self.after_s:g} s into `{self.step}`, then {self.then}"


CASES = [
    Case("03-quorum-commit.md", "durability.run_trials(", 12, "04-failover.md"),
    Case("04-failover.md", "failover.run_trials(", 15, "05-read-scaling.md"),
    Case("05-read-scaling.md", "cluster.add_reader()", 1, "06-backtrack-and-pitr.md"),
    Case("06-backtrack-and-pitr.md", "pitr.restore(", 0.3, "07-maintenance-and-monitoring.md"),
    Case("07-maintenance-and-monitoring.md", "rolling.rolling_restart(", 6, "08-cache-aside.md"),
    Case("10-session-store.md", "session_store.failover_trial(", 2, "11-redis-vs-memcached.md"),
    Case("11-redis-vs-memcached.md", "redis_persistence.crash_trial(", 0.5, "12-ttl-and-eviction.md"),
    Case("13-durable-writes.md", "trials = durability.run_trials(", 8, "14-durability-cost-and-consistency.md"),
]
HOW = ("interrupt", "kill")
ALWAYS = (CASES[0], "kill")
SEEDED = [(case, how) for case in CASES[1:] for how in HOW]  # seed N runs SEEDED[N % len(SEEDED)]


def seed() -> int:
    """LABKIT_INTERRUPT_SEED, else one taken from the commit under test: every worker of a run
    agrees on it, and a rerun of the same commit repeats the same case."""
    if "LABKIT_INTERRUPT_SEED" in os.environ:
        return int(os.environ["LABKIT_INTERRUPT_SEED"])
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=LABS, capture_output=True, text=True)
    return int(head.stdout[:4], 16) if head.returncode == 0 else 0


def seeded_case(chosen: int) -> tuple[Case, str]:
    return SEEDED[chosen % len(SEEDED)]


def code_cells(lab: str) -> list[str]:
    path = LABS / lab
    notebook = read_myst_markdown_notebook(path.read_text(), path=path)
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def stop_halfway(case: Case, how: str) -> str | None:
    """Run ``case.lab`` up to its step, stop it as ``how`` says; return the error the kernel
    reported for the stopped cell (None when it was killed)."""
    cells = code_cells(case.lab)
    step = next(i for i, source in enumerate(cells) if case.step in source)
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(LABS))
    try:
        for source in cells[:step]:
            reply = kc.execute_interactive(source, timeout=600, output_hook=lambda msg: None)
            assert reply["content"]["status"] == "ok", (case.lab, source[:200], reply["content"])
        running = kc.execute(cells[step])
        time.sleep(case.after_s)
        if how == "kill":
            km.shutdown_kernel(now=True)
            return None
        km.interrupt_kernel()
        while (reply := kc.get_shell_msg(timeout=300))["parent_header"].get("msg_id") != running:
            continue
        return reply["content"].get("ename")
    finally:
        kc.stop_channels()
        if km.is_alive():
            km.shutdown_kernel(now=True)


def run_whole(lab: str) -> None:
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(LABS))
    try:
        for source in code_cells(lab):
            reply = kc.execute_interactive(source, timeout=600, output_hook=lambda msg: None)
            assert reply["content"]["status"] == "ok", (lab, source[:300], reply["content"].get("evalue"))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def check(case: Case, how: str) -> None:
    stopped_by = stop_halfway(case, how)
    if how == "interrupt":
        assert stopped_by == "KeyboardInterrupt", f"{case}: the cell ended with {stopped_by}, not the interrupt"
        left = [d for d in baseline.deviations() if any(mark in d.what for mark in UNDONE_ON_INTERRUPT)]
        assert not left, f"{case}: the interrupted step did not undo {left}"
    run_whole(case.then)
    cluster.wait_healthy(30)
    health.wait_settled()
    assert baseline.deviations() == [], f"{case}, {how}: not at the baseline afterwards"


def test_lab_3_killed_halfway_then_lab_4():
    check(*ALWAYS)


SEED = seed()


@pytest.mark.parametrize("case, how", [seeded_case(SEED)], ids=[f"LABKIT_INTERRUPT_SEED={SEED}"])
def test_a_seeded_lab_stopped_halfway_then_the_next(case, how):
    check(case, how)


def test_the_documented_seeds_cover_every_case_both_ways():
    assert {seeded_case(n) for n in range(len(SEEDED))} == {(c, h) for c in CASES[1:] for h in HOW}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_each_case_names_a_cell_of_its_lab(case):
    assert sum(case.step in source for source in code_cells(case.lab)) == 1, case
    assert (LABS / case.then).exists(), case
