"""An ipywidgets explorer of one Aurora protection group: switch copies and AZs off and on, write,
read, and see which quorum still holds and why.

The group it shows is built by the page, with the page's layout and quorum rules; the callbacks
here are plain methods of ``QuorumExplorer`` (``set_copy``, ``fail_az``, ``write``...), so tests
drive them without a browser. A published page
shows the state the explorer had when the page was built: ``run(DEMO_SCENARIO)`` before display
gives it something to show.
"""
from __future__ import annotations

import functools
import html

import ipywidgets as w

from labkit.aurora import quorum
from labkit.explorer import ExplorerBox

# An AZ outage, a write during it, the AZ's return (its copies catch up) and a read.
DEMO_SCENARIO = (("fail_az", "c"), ("write", "written while AZ c was down"), ("restore_az", "c"), ("read",))
SHOWN_OUTCOMES = 6


def render_html(group: quorum.ProtectionGroup, outcomes: list[quorum.Outcome]) -> str:
    """The panel: each copy's state and version, whether writes and reads work now, recent outcomes."""
    rows = []
    for copy in group.copies.values():
        state, colour = ("up", "#d4edda") if copy.up else ("down", "#f8d7da")
        behind = f" (behind v{group.acknowledged})" if copy.version < group.acknowledged else ""
        rows.append(f"<tr style='background:{colour};color:#222'><td>AZ {copy.az}</td><td>{copy.name}</td>"
                    f"<td>{state}</td><td>v{copy.version}{behind}</td><td>{html.escape(repr(copy.value))}</td></tr>")
    verdicts = []
    for what, ok, need in (("Writes", group.can_write(), group.write_quorum),
                           ("Reads", group.can_read(), group.read_quorum)):
        word = "possible" if ok else "refused"
        verdicts.append(f"<b>{what} {word}</b> (need {need} of {group.size})")
    recent = "".join(f"<li>{html.escape(str(o))}</li>" for o in outcomes[:SHOWN_OUTCOMES])
    return ("<table style='border-collapse:collapse' cellpadding='4'>"
            "<tr><th>AZ</th><th>copy</th><th>state</th><th>version</th><th>value</th></tr>"
            + "".join(rows) + "</table>"
            + f"<p>{' · '.join(verdicts)}: {html.escape(group.capacity())}.</p>"
            + f"<p>Last acknowledged write: v{group.acknowledged}. Latest outcomes, newest first:</p>"
            + f"<ol>{recent}</ol>")


class QuorumExplorer:
    """A toggle per copy, fail/restore buttons per AZ, write and read buttons, and a status panel."""

    def __init__(self, group: quorum.ProtectionGroup):
        self.group = group
        self.outcomes: list[quorum.Outcome] = []
        self._writes = 0
        self._syncing = False
        self.toggles = {name: w.ToggleButton(description=f"{name} (AZ {copy.az})", layout=w.Layout(width="120px"))
                        for name, copy in self.group.copies.items()}
        for name, toggle in self.toggles.items():
            toggle.observe(functools.partial(self._on_toggle, name), names="value")
        self.az_buttons = {}
        for az in self.group.azs:
            fail, restore = w.Button(description=f"fail AZ {az}"), w.Button(description=f"restore AZ {az}")
            fail.on_click(lambda _, az=az: self.fail_az(az))
            restore.on_click(lambda _, az=az: self.restore_az(az))
            self.az_buttons[az] = (fail, restore)
        self.repair_on_restore = w.Checkbox(value=True, description="returning copies repair from peers")
        self.write_button = w.Button(description="write", icon="pencil", button_style="primary")
        self.read_button = w.Button(description="read", icon="book", button_style="info")
        self.write_button.on_click(lambda _: self.write())
        self.read_button.on_click(lambda _: self.read())
        self.panel = w.HTML()
        self.widget = ExplorerBox([
            w.HBox(list(self.toggles.values())),
            w.HBox([button for pair in self.az_buttons.values() for button in pair]),
            w.HBox([self.write_button, self.read_button, self.repair_on_restore]),
            self.panel,
        ])
        self.refresh()

    # ---- callbacks: plain methods -------------------------------------------------------------
    def set_copy(self, name: str, up: bool) -> quorum.Outcome:
        repair = self.repair_on_restore.value
        return self._record(self.group.restore(name, repair=repair) if up else self.group.fail(name))

    def fail_az(self, az: str) -> quorum.Outcome:
        return self._record(self.group.fail_az(az))

    def restore_az(self, az: str) -> quorum.Outcome:
        return self._record(self.group.restore_az(az, repair=self.repair_on_restore.value))

    def write(self, value: object = None) -> quorum.Outcome:
        self._writes += 1
        return self._record(self.group.write(value if value is not None else f"write #{self._writes}"))

    def read(self) -> quorum.Outcome:
        return self._record(self.group.read())

    def run(self, steps) -> list[quorum.Outcome]:
        """Play ``steps`` such as ``DEMO_SCENARIO``: tuples of a method name and its arguments."""
        allowed = {"set_copy", "fail_az", "restore_az", "write", "read"}
        outcomes = []
        for method, *args in steps:
            if method not in allowed:
                raise ValueError(f"unknown step {method!r}: use one of {', '.join(sorted(allowed))}")
            outcomes.append(getattr(self, method)(*args))
        return outcomes

    # ---- display --------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Make the toggles match the copies and redraw the panel."""
        self._syncing = True
        try:
            for name, toggle in self.toggles.items():
                up = self.group.copies[name].up
                toggle.value = up
                toggle.button_style = "success" if up else "danger"
                toggle.icon = "check" if up else "times"
        finally:
            self._syncing = False
        self.panel.value = render_html(self.group, self.outcomes)

    def _on_toggle(self, name: str, change: dict) -> None:
        if not self._syncing:
            self.set_copy(name, change["new"])

    def _record(self, outcome: quorum.Outcome) -> quorum.Outcome:
        self.outcomes.insert(0, outcome)
        self.refresh()
        return outcome
