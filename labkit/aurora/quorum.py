"""Aurora's quorum storage as a model you can break: one protection group, and its odds.

Aurora splits a volume into 10 GB segments and keeps each segment six times, two copies in each
of three Availability Zones: a *protection group* (Verbitski et al., "Amazon Aurora: Design
Considerations for High Throughput Cloud-Native Relational Databases", SIGMOD 2017, section 2).
The rules themselves (where the copies live, how many copies a write and a read need) are the
lesson, so the page writes them and passes them in: a layout ``{copy: AZ}`` and two predicates
``can_write(copies_up)`` and ``can_read(copies_up)``. ``ProtectionGroup`` plays the group under
those rules: fail and restore copies or whole AZs, write, read, and every outcome says what the
rules decided. The second half estimates how often a rule holds when copies fail at random (a
seeded, vectorised Monte Carlo beside the exact binomial figure), and how the chance of losing a
quorum during a repair shrinks as repair gets faster.
"""
from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import Callable

import numpy as np

# SIGMOD 2017, section 2.2: segments are "currently 10GB", and "a 10GB segment can be repaired
# in 10 seconds on a 10Gbps network link".
SEGMENT_GB = 10
PAPER_LINK_GBPS = 10
PAPER_REPAIR_SECONDS = 10

Rule = Callable[[int], bool]  # copies up -> the quorum holds (also on numpy arrays of counts)


def smallest_quorum(rule: Rule, copies: int) -> int:
    """The fewest copies up for which ``rule`` holds (``copies + 1`` when it never does)."""
    return next((k for k in range(copies + 1) if rule(k)), copies + 1)


@dataclass
class Copy:
    """One copy of the segment: where it lives, whether it answers, and the newest version it holds."""

    name: str
    az: str
    up: bool = True
    version: int = 0
    value: object = None


@dataclass(frozen=True)
class Outcome:
    """What one operation did (``summary``) and the rule that decided it (``why``).

    ``stale`` marks a read that answered with an older version than the last acknowledged write,
    which only quorums that break V_r + V_w > V allow.
    """

    action: str
    ok: bool
    summary: str
    why: str = ""
    version: int | None = None
    value: object = None
    stale: bool = False

    def __str__(self) -> str:
        verdict = "STALE" if self.stale else "ok" if self.ok else "REFUSED"
        why = f" Why: {self.why}." if self.why else ""
        return f"{self.action} {verdict}: {self.summary}.{why}"

    def text(self, width: int = 78) -> str:
        """``str(self)`` wrapped to ``width`` columns, for printing in a notebook."""
        return textwrap.fill(str(self), width, subsequent_indent="    ")


class ProtectionGroup:
    """Copies of one segment spread over AZs, run under the page's write and read rules.

    ``layout`` maps each copy's name to its AZ. A write is sent only when ``can_write`` holds for
    the copies that are up (the writer tracks which copies answer); then every copy that is up
    stores it under the next version. A read asks every copy that is up, if ``can_read`` holds,
    and returns the newest version among them.
    """

    def __init__(self, layout: dict[str, str], can_write: Rule, can_read: Rule):
        self.copies = {name: Copy(name, az) for name, az in layout.items()}
        self.azs = tuple(dict.fromkeys(layout.values()))
        self.can_write_with, self.can_read_with = can_write, can_read
        self.write_quorum = smallest_quorum(can_write, self.size)
        self.read_quorum = smallest_quorum(can_read, self.size)
        self.acknowledged = 0  # the newest version a write quorum stored

    @property
    def size(self) -> int:
        return len(self.copies)

    def up(self) -> list[Copy]:
        return [c for c in self.copies.values() if c.up]

    # ---- failures ---------------------------------------------------------------------------
    def fail(self, name: str) -> Outcome:
        """Take copy ``name`` down (its disk keeps what it stored)."""
        copy = self._copy(name)
        was_up, copy.up = copy.up, False
        summary = f"copy {name} (AZ {copy.az}) is down" if was_up else f"copy {name} was already down"
        return Outcome("fail", True, summary, self.capacity())

    def restore(self, name: str, repair: bool = True) -> Outcome:
        """Bring copy ``name`` back; with ``repair`` it catches up from its peers at once."""
        copy = self._copy(name)
        copy.up = True
        summary = f"copy {name} is back at v{copy.version}"
        if repair:
            summary += "; " + self.repair().summary
        return Outcome("restore", True, summary, self.capacity())

    def fail_az(self, az: str) -> Outcome:
        """An AZ outage: all of its copies go down together."""
        for copy in self._az(az):
            copy.up = False
        return Outcome("fail AZ", True, f"AZ {az} is down", self.capacity())

    def restore_az(self, az: str, repair: bool = True) -> Outcome:
        """The AZ returns with all its copies; with ``repair`` they catch up from their peers."""
        for copy in self._az(az):
            copy.up = True
        summary = f"AZ {az} is back"
        if repair:
            summary += "; " + self.repair().summary
        return Outcome("restore AZ", True, summary, self.capacity())

    def repair(self) -> Outcome:
        """Peer-to-peer repair: each copy that is up and behind fetches what it misses from a peer."""
        changes = self._catch_up(self.up())
        summary = f"repaired {', '.join(changes)}" if changes else "no copy that is up was behind"
        return Outcome("repair", True, summary, "copies gossip with their peers and fill the versions they miss, "
                                                "so no writer has to resend anything")

    # ---- writes and reads -------------------------------------------------------------------
    def write(self, value: object) -> Outcome:
        """Store ``value`` under the next version on every copy that is up, if the write rule holds."""
        up, n, w, r = self.up(), self.size, self.write_quorum, self.read_quorum
        if not self.can_write():
            return Outcome("write", False, f"only {len(up)} of {n} copies are up, a write needs {w}",
                           f"if {len(up)} copies held it, a read quorum of {r} could consist "
                           f"only of copies without it ({len(up)} + {r} <= {n})")
        version = self.acknowledged + 1
        for copy in up:
            copy.version, copy.value = version, value
        self.acknowledged = version
        why = f"{len(up)} >= {w}; " + (
            f"every read quorum of {r} meets these copies because {r} + {w} > {n}" if r + w > n else
            f"but {r} + {w} <= {n}, so a read quorum of {r} can miss every copy that stored it")
        if self._down_azs():
            why += f". {self._az_note()}"
        return Outcome("write", True, f"v{version} acknowledged by {len(up)} of {n} copies "
                                      f"({', '.join(c.name for c in up)})", why, version, value)

    def read(self) -> Outcome:
        """Ask every copy that is up; if the read rule holds, return the newest version and repair stale copies."""
        up, n, r, w = self.up(), self.size, self.read_quorum, self.write_quorum
        if not self.can_read():
            return Outcome("read", False, f"only {len(up)} of {n} copies answer, a read needs {r}",
                           f"{len(up)} copies could all be among the {n - w} that missed the "
                           f"last write, so the newest version cannot be told")
        source = max(up, key=lambda c: c.version)
        stale = source.version < self.acknowledged
        repaired = self._catch_up(up)
        summary = f"v{source.version} = {source.value!r} from {len(up)} answering copies"
        if stale:
            summary += f", although v{self.acknowledged} was acknowledged"
        if repaired:
            summary += f"; read repair: {', '.join(repaired)}"
        why = (f"{len(up)} >= {r}; any {r} copies include one of the {w} or more that "
               f"stored every acknowledged write, because {r} + {w} > {n}" if r + w > n else
               f"{len(up)} >= {r}, but {r} + {w} <= {n}: these copies can all have missed the last write")
        return Outcome("read", True, summary, why, source.version, source.value, stale)

    # ---- what the group can do now ----------------------------------------------------------
    def can_write(self) -> bool:
        return bool(self.can_write_with(len(self.up())))

    def can_read(self) -> bool:
        return bool(self.can_read_with(len(self.up())))

    def capacity(self) -> str:
        """One sentence: how many copies are up, and what that still allows."""
        k, n = len(self.up()), self.size
        can = [what for what, ok in (("write", self.can_write()), ("read", self.can_read())) if ok]
        allowed = " and ".join(can) if can else "neither write nor read"
        sentence = f"{k} of {n} copies up: it can {allowed} (write needs {self.write_quorum}, read {self.read_quorum})"
        return f"{sentence}. {self._az_note()}" if self._down_azs() else sentence

    def _az_note(self) -> str:
        """Name the AZ outage, and say what AZ+1 (an AZ plus one more copy) leaves."""
        down_azs = self._down_azs()
        names = ", ".join(f"AZ {az}" for az in down_azs)
        extra = [c.name for c in self.copies.values() if not c.up and c.az not in down_azs]
        left = len(self.up())
        if len(down_azs) == 1 and not extra:
            return f"A whole AZ is lost ({names}) and the other AZs still hold {left} copies"
        if len(down_azs) == 1 and len(extra) == 1:
            verdict = (f"the {left} copies left still form a read quorum, so the data stays readable and "
                       f"repairable" if self.can_read() else
                       f"the {left} copies left are below the read quorum of {self.read_quorum}")
            return f"AZ+1: {names} and copy {extra[0]} are down; {verdict}"
        more = f", plus {len(extra)} more cop{'y' if len(extra) == 1 else 'ies'}" if extra else ""
        return f"{names} down{more}"

    def _down_azs(self) -> list[str]:
        return [az for az in self.azs if not any(c.up for c in self._az(az))]

    def _catch_up(self, copies: list[Copy]) -> list[str]:
        """Bring each of ``copies`` that is behind up to the newest among them; say who copied what from whom."""
        if not copies:
            return []
        source = max(copies, key=lambda c: c.version)
        changes = []
        for copy in copies:
            if copy.version < source.version:
                changes.append(f"{copy.name} v{copy.version}->v{source.version} from {source.name}")
                copy.version, copy.value = source.version, source.value
        return changes

    def _copy(self, name: str) -> Copy:
        if name not in self.copies:
            raise ValueError(f"no copy {name!r}: the copies are {', '.join(self.copies)}")
        return self.copies[name]

    def _az(self, az: str) -> list[Copy]:
        if az not in self.azs:
            raise ValueError(f"no AZ {az!r}: the AZs are {', '.join(self.azs)}")
        return [c for c in self.copies.values() if c.az == az]


# ---- the odds: how often a rule holds when copies fail at random --------------------------------
@dataclass(frozen=True)
class Scheme:
    """A layout ``{copy: AZ}`` and the rule that must hold for the copies that are up."""

    label: str
    layout: dict
    rule: Rule

    @property
    def copies(self) -> int:
        return len(self.layout)


@dataclass(frozen=True)
class Availability:
    """For each probability ``p`` that a copy is down, the fraction of trials in which the rule held."""

    scheme: Scheme
    p: np.ndarray
    simulated: np.ndarray

    @property
    def unavailable(self) -> np.ndarray:
        return 1 - self.simulated


def exact_availability(p, copies: int, rule: Rule) -> np.ndarray:
    """P(``rule`` holds) when each of ``copies`` is down independently with probability ``p``:
    the binomial chance of exactly k copies up, summed over every k the rule accepts."""
    p = np.asarray(p, dtype=float)
    return sum((math.comb(copies, k) * (1 - p) ** k * p ** (copies - k)
                for k in range(copies + 1) if rule(k)), np.zeros_like(p))


def simulate_availability(probabilities, schemes, trials: int = 100_000, seed: int = 0,
                          az_probability: float = 0.0) -> list[Availability]:
    """Monte Carlo: per scheme, the fraction of ``trials`` in which its rule holds, for each p.

    Each copy is down with probability p on its own; with ``az_probability`` each AZ of the
    layout is also down as a whole (taking its copies with it). The same random draws serve every
    p (common random numbers), so a curve falls monotonically as p grows for any rule that
    more copies up never breaks, and the result depends only on ``seed``.
    """
    ps = np.asarray(probabilities, dtype=float)
    if trials < 1 or np.any((ps < 0) | (ps > 1)) or not 0 <= az_probability <= 1:
        raise ValueError("probabilities must lie in [0, 1] and trials must be at least 1")
    rng = np.random.default_rng(seed)
    results = []
    for scheme in schemes:
        # A copy is down at p when its draw is below p; a copy in a failed AZ is down at every p.
        draws = rng.random((trials, scheme.copies))
        azs = list(dict.fromkeys(scheme.layout.values()))
        az_of_copy = [azs.index(az) for az in scheme.layout.values()]
        draws[(rng.random((trials, len(azs))) < az_probability)[:, az_of_copy]] = -1.0
        held = [np.mean(np.asarray(scheme.rule(np.count_nonzero(draws >= p, axis=1)), dtype=bool)) for p in ps]
        results.append(Availability(scheme, ps, np.array(held)))
    return results


# ---- repair speed: the window in which a second and third failure would hurt ------------------
def transfer_seconds(size_gb: float, link_gbps: float) -> float:
    """Time to copy ``size_gb`` gigabytes over a ``link_gbps`` link at full speed."""
    if size_gb <= 0 or link_gbps <= 0:
        raise ValueError("size and link speed must be positive")
    return size_gb * 8 / link_gbps


def quorum_loss_during_repair(repair_seconds, mttf_hours: float, rule: Rule,
                              copies: int = 6, already_down: int = 1) -> np.ndarray:
    """P(``rule`` stops holding before the copies already down are repaired).

    ``already_down`` copies are being rebuilt, which takes ``repair_seconds``; each other copy fails
    within that window with probability 1 - exp(-window / MTTF), independently. A simple model:
    it shows how the risk scales with the window (roughly as window**k for k further failures).
    """
    if mttf_hours <= 0 or not 0 <= already_down < copies:
        raise ValueError("MTTF must be positive and already_down between 0 and copies - 1")
    window = np.asarray(repair_seconds, dtype=float)
    p = -np.expm1(-window / (mttf_hours * 3600))
    others = copies - already_down
    return sum((math.comb(others, k) * p ** k * (1 - p) ** (others - k)
                for k in range(others + 1) if not rule(others - k)), np.zeros_like(p))
