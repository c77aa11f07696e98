"""The claims ledger's data: each line of the notes, matched with what the course did with it.

The notes (``book/notes.txt``) are the learner's input, kept verbatim; ``book/ledger.yml`` says
for each of their lines the verdict, the AWS correction (a row of its ``facts``), the page and
section that show it, and the keys of the figures a lab records for it. Lines match by their
words, so that spaces and tabs in the notes do not matter.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from labkit.paths import REPO

NOTES = REPO / "book" / "notes.txt"
LEDGER = REPO / "book" / "ledger.yml"
VERDICTS = ("demonstrated", "corrected", "explained", "cannot be shown locally")


def words(line: str) -> str:
    """A line with its runs of spaces and tabs made one space: the key a claim matches on."""
    return " ".join(line.split())


def claim_lines(notes: str) -> list[str]:
    """The notes' lines that say something: not blank, not a ``=====`` separator."""
    lines = [words(line) for line in notes.splitlines()]
    return [line for line in lines if line and set(line) != {"="}]


@dataclass(frozen=True)
class Claim:
    """One line of the notes and what the course did with it."""

    section: str
    note: str
    verdict: str
    page: str
    heading: str | None = None
    correct: str | None = None
    source: str | None = None
    figures: tuple[str, ...] = field(default_factory=tuple)


def _claim(section: str, entry: dict, facts: dict, where: Path) -> Claim:
    note = words(entry.get("note", ""))
    verdict = entry.get("verdict")
    if verdict not in VERDICTS:
        raise ValueError(f"{where}: the claim {note!r} has verdict {verdict!r}; use one of {VERDICTS}")
    if not entry.get("page"):
        raise ValueError(f"{where}: the claim {note!r} names no page")
    fact = entry.get("fact")
    if fact is not None and fact not in facts:
        raise ValueError(f"{where}: the claim {note!r} cites fact {fact}, which `facts` lacks")
    if verdict == "corrected" and fact is None:
        raise ValueError(f"{where}: the claim {note!r} is corrected but cites no fact")
    found = facts.get(fact, {})
    return Claim(section, note, verdict, entry["page"], entry.get("section"),
                 found.get("correct"), found.get("source"), tuple(entry.get("figures", ())))


def load(ledger: Path = LEDGER) -> list[Claim]:
    """The claims of ``ledger``, in its order, each checked for a known verdict, page and fact."""
    data = yaml.safe_load(ledger.read_text(encoding="utf-8"))
    facts = data.get("facts", {})
    return [_claim(section["title"], entry, facts, ledger)
            for section in data["sections"] for entry in section["claims"]]


def mismatches(claims: list[Claim], notes: str) -> list[str]:
    """What keeps the ledger from covering the notes line for line: missing, unknown, doubled lines."""
    lines = claim_lines(notes)
    noted = [claim.note for claim in claims]
    problems = [f"the notes' line {line!r} has no claim" for line in lines if line not in noted]
    problems += [f"the claim {note!r} is not a line of the notes" for note in noted if note not in lines]
    problems += [f"the line {note!r} has {noted.count(note)} claims" for note in set(noted)
                 if noted.count(note) > lines.count(note)]
    return problems
