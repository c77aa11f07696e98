"""The ``claims-ledger`` directive: one table row per line of the notes, with this build's figures.

The directive leaves a placeholder while the pages are read. Once every page is read (and every
lab executed or taken from the jupyter-cache), ``doctree-resolved`` replaces it with the ledger
of ``labkit.claims`` (book/ledger.yml over book/notes.txt) and the figures the labs recorded with
``labkit.ledger.record`` in their executed notebooks, and writes the same rows as
``claims-ledger.csv`` next to the page, for teachers. The build fails when the ledger and the
notes disagree, when a linked section no longer exists, or when a lab no longer records a figure
the ledger names.
"""

from __future__ import annotations

import csv
from pathlib import Path

from docutils import nodes
from executed_notebooks import executed_notebooks
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

from labkit import claims, ledger

CSV_NAME = "claims-ledger.csv"
COLUMNS = ("The notes say", "What the course did", "What is correct (AWS source)")


class ledger_placeholder(nodes.General, nodes.Element):
    """Where the ledger goes, once every page has been read."""


class ClaimsLedger(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(str(claims.LEDGER))
        self.env.note_dependency(str(claims.NOTES))
        _pages(self.env).add(self.env.docname)
        return [ledger_placeholder()]


def _pages(env) -> set[str]:
    """The pages that show the ledger (kept in the build environment)."""
    if not hasattr(env, "claims_ledger_pages"):
        env.claims_ledger_pages = set()
    return env.claims_ledger_pages


def _forget(app: Sphinx, env, docname: str) -> None:
    _pages(env).discard(docname)


def _merge(app: Sphinx, env, docnames: set[str], other) -> None:
    """Keep the pages a parallel reader found."""
    _pages(env).update(_pages(other))


def _ledger_pages(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Rebuild the ledger page on every build: its figures come from the other pages."""
    return sorted(_pages(env) - changed - removed)


def _recorded_figures(app: Sphinx) -> dict[str, tuple[ledger.Figure, str]]:
    found = {}
    for docname, notebook in executed_notebooks(app):
        for key, figure in ledger.figures_in(notebook.cells).items():
            found[key] = (figure, docname)
    return found


# Sphinx's smartquotes turns the quotes of a heading into typographic ones.
PLAIN_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


def _section_anchor(app: Sphinx, page: str, heading: str) -> str:
    for section in app.env.get_doctree(page).findall(nodes.section):
        if section[0].astext().translate(PLAIN_QUOTES) == heading:
            return section["ids"][0]
    raise ExtensionError(f"book/ledger.yml links the section {heading!r} of {page}, which has no such section")


def _check(app: Sphinx, ledger_claims: list[claims.Claim], figures: dict) -> None:
    problems = claims.mismatches(ledger_claims, claims.NOTES.read_text(encoding="utf-8"))
    problems += [f"the page {c.page} is not in the book" for c in ledger_claims if c.page not in app.env.all_docs]
    problems += [f"{c.page} recorded no figure {key!r} in this build (book/ledger.yml names it for "
                 f"{c.note!r}): run that lab, and check the ledger.record calls of its closing cell"
                 for c in ledger_claims for key in c.figures if key not in figures]
    if problems:
        raise ExtensionError("The claims ledger does not match the notes or this build:\n  " + "\n  ".join(problems))


def _row(app: Sphinx, fromdoc: str, claim: claims.Claim, figures: dict) -> dict[str, str]:
    uri = app.builder.get_relative_uri(fromdoc, claim.page)
    if claim.heading:
        uri += "#" + _section_anchor(app, claim.page, claim.heading)
    title = app.env.titles[claim.page].astext()
    return {
        "section": claim.section,
        "note": claim.note,
        "verdict": claim.verdict,
        "correct": claim.correct or "",
        "source": claim.source or "",
        "measured": "; ".join(figures[key][0].text() for key in claim.figures),
        "figure keys": " ".join(claim.figures),
        "shown in": title + (f" — {claim.heading}" if claim.heading else ""),
        "link": uri,
    }


def _cell(*paragraphs: list[nodes.Node]) -> nodes.entry:
    return nodes.entry("", *(nodes.paragraph("", "", *children) for children in paragraphs if children))


def _what_the_course_did(row: dict[str, str]) -> nodes.entry:
    """The verdict, this build's figures, and the link to the page that shows the claim."""
    measured = [nodes.Text("Measured in this build: "), nodes.strong("", row["measured"])] if row["measured"] else []
    link = [nodes.reference("", row["shown in"], internal=True, refuri=row["link"])]
    return _cell([nodes.strong("", row["verdict"])], measured, link)


def _table(rows: list[dict[str, str]]) -> nodes.table:
    group = nodes.tgroup(cols=len(COLUMNS))
    group += [nodes.colspec(colwidth=width) for width in (30, 35, 35)]
    group += nodes.thead("", nodes.row("", *(_cell([nodes.Text(name)]) for name in COLUMNS)))
    body = nodes.tbody()
    for row in rows:
        # a zero-width space after each "/" lets the long paths of AWS pages wrap in the column
        source = [nodes.emphasis("", row["source"].replace("/", "/\u200b"))] if row["source"] else []
        body += nodes.row("", _cell([nodes.Text(row["note"])]), _what_the_course_did(row),
                          _cell([nodes.Text(row["correct"])] if row["correct"] else [], source))
    group += body
    return nodes.table("", group, classes=["claims-ledger"])


def _write_csv(app: Sphinx, docname: str, rows: list[dict[str, str]]) -> None:
    target = Path(app.outdir) / Path(docname).parent / CSV_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _fill(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    placeholders = list(doctree.findall(ledger_placeholder))
    if not placeholders:
        return
    ledger_claims = claims.load()
    figures = _recorded_figures(app)
    _check(app, ledger_claims, figures)
    rows = [_row(app, docname, claim, figures) for claim in ledger_claims]
    content = [nodes.paragraph("", "", nodes.Text("The same table as a spreadsheet: "),
                               nodes.reference("", CSV_NAME, refuri=CSV_NAME), nodes.Text("."))]
    for section in dict.fromkeys(row["section"] for row in rows):
        content += [nodes.rubric("", section), _table([row for row in rows if row["section"] == section])]
    placeholders[0].replace_self(content)
    if app.builder.format == "html":
        _write_csv(app, docname, rows)


def setup(app: Sphinx) -> dict:
    app.add_node(ledger_placeholder)
    app.add_directive("claims-ledger", ClaimsLedger)
    app.connect("env-purge-doc", _forget)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-outdated", _ledger_pages)
    app.connect("doctree-resolved", _fill)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
