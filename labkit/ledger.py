"""Headline figures a lab measured, carried in its executed notebook to the claims ledger.

A lab's closing hidden cell calls ``record("proxy.storm.refused_direct", direct.refused,
"connections")``. The figure travels as a display output of its own MIME type, with an empty
``text/plain`` so that JupyterLab shows nothing; the book's ``claims_ledger`` extension reads it
back from the executed notebook with ``figures_in`` and puts it beside the claim it measures.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from numbers import Real
from typing import Any, Iterable

MIME = "application/vnd.labkit.ledger-figure+json"
KEY = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")


@dataclass(frozen=True)
class Figure:
    """One measured value, with its unit, as a lab recorded it."""

    key: str
    value: float
    unit: str

    def text(self) -> str:
        """The value as the ledger prints it: integers as integers, others to 3 significant digits."""
        shown = f"{self.value:.0f}" if float(self.value).is_integer() else f"{self.value:.3g}"
        return f"{shown} {self.unit}".strip()


def record(key: str, value: Real, unit: str) -> None:
    """Publish one headline figure of this run for the claims ledger (shows nothing)."""
    from IPython.display import display

    if not KEY.match(key):
        raise ValueError(f"ledger key {key!r}: use dotted lower-case words, e.g. 'proxy.storm.refused_direct'")
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"ledger figure {key!r}: the value must be a finite number, not {value!r}")
    figure = {"key": key, "value": float(value), "unit": unit}
    display({MIME: figure, "text/plain": ""}, raw=True)


def is_figure_output(output: dict[str, Any]) -> bool:
    """True for the output of ``record``: a hidden cell may show it, since it displays nothing."""
    data = output.get("data", {})
    return output.get("output_type") == "display_data" and MIME in data and not data.get("text/plain")


def figures_in(cells: Iterable[dict[str, Any]]) -> dict[str, Figure]:
    """The figures recorded in the outputs of a notebook's cells, by key (the last one wins)."""
    found = {}
    for cell in cells:
        for output in cell.get("outputs", []):
            if is_figure_output(output):
                data = output["data"][MIME]
                found[data["key"]] = Figure(data["key"], data["value"], data["unit"])
    return found
