"""What the course's figures share."""
from __future__ import annotations

from matplotlib import ticker

PLAIN = ticker.FuncFormatter(lambda x, _: f"{x:g}")


def label_log_axis(axis) -> None:
    """Ticks at 1, 2 and 5 of each decade, labelled as plain numbers (0.2, 1, 5, 20). A log axis
    that spans about a decade otherwise shows one label, or powers of ten on every minor tick."""
    axis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(PLAIN)
    axis.set_minor_formatter(ticker.NullFormatter())
