"""The box every explorer of the course is shown in.

JupyterLab draws a widget only in a notebook it has run or trusts. Anywhere else, such as in an
executed notebook downloaded from the book, it shows the output's plain-text form instead, which
for a bare ipywidgets box is ``VBox(children=(...))``; this box's plain-text form says what to do.
"""
from __future__ import annotations

import ipywidgets as w

NOT_RUN_YET = "An interactive explorer: run the notebook (Run All) to use it here."


class ExplorerBox(w.VBox):
    """A VBox whose plain-text form, shown where widgets cannot be drawn, asks for a run."""

    def _repr_mimebundle_(self, **kwargs) -> dict:
        return {**super()._repr_mimebundle_(**kwargs), "text/plain": NOT_RUN_YET}
