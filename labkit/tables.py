"""Markdown tables of measured results, the one way every page prints them."""
from __future__ import annotations

from collections.abc import Iterable, Sequence


def _cell(value: object) -> str:
    return "-" if value is None else str(value).replace("|", "\\|").replace("\n", " ")


def markdown(header: Sequence[str], rows: Iterable[Sequence[object]], align: str = "") -> str:
    """A Markdown table. ``align`` has one letter per column, ``l`` (text) or ``r`` (numbers);
    columns it does not cover are text. None shows as "-"."""
    if set(align) - {"l", "r"} or len(align) > len(header):
        raise ValueError(f"align {align!r} must be at most {len(header)} letters, each 'l' or 'r'")
    rule = ["---:" if a == "r" else "---" for a in align.ljust(len(header), "l")]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(rule) + "|"]
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"row {row!r} has {len(row)} cells for {len(header)} columns")
        lines.append("| " + " | ".join(_cell(value) for value in row) + " |")
    return "\n".join(lines)
