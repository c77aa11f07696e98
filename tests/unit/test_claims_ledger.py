"""The claims ledger (book/ledger.yml) against the notes it covers, the book it links, and the labs
that record its figures; and the figures' round trip through a notebook's outputs."""
import math
import re
from pathlib import Path

import pytest
import yaml

from labkit import claims, ledger

ROOT = Path(__file__).parents[2]


def toc_files(entry) -> list[str]:
    """Every ``file`` of a _toc.yml entry and of the entries under it."""
    if isinstance(entry, list):
        return [name for item in entry for name in toc_files(item)]
    if not isinstance(entry, dict):
        return []
    own = [entry[key] for key in ("root", "file") if key in entry]
    return own + [name for key in ("parts", "chapters", "sections") for name in toc_files(entry.get(key, []))]


BOOK = set(toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))))
CLAIMS = claims.load()


def test_every_line_of_the_notes_has_exactly_one_claim_and_no_claim_is_invented():
    assert claims.mismatches(CLAIMS, claims.NOTES.read_text(encoding="utf-8")) == []


def test_the_ledger_page_is_in_the_book():
    assert "book/claims" in BOOK


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.note[:40])
def test_every_claim_links_a_page_of_the_book_and_a_section_it_has(claim: claims.Claim):
    assert claim.page in BOOK, f"{claim.note!r} links {claim.page}, which _toc.yml does not list"
    if claim.heading:
        source = (ROOT / f"{claim.page}.md").read_text(encoding="utf-8")
        headings = {line[3:].replace("`", "").strip() for line in source.splitlines() if line.startswith("## ")}
        assert claim.heading in headings, f"{claim.page} has no section {claim.heading!r}"


@pytest.mark.parametrize("claim", [c for c in CLAIMS if c.figures], ids=lambda c: c.note[:40])
def test_every_figure_the_ledger_names_is_recorded_by_the_page_it_links(claim: claims.Claim):
    source = (ROOT / f"{claim.page}.md").read_text(encoding="utf-8")
    recorded = set(re.findall(r'ledger\.record\(\s*"([^"]+)"', source))
    assert set(claim.figures) <= recorded, f"{claim.page} records {recorded}, not all of {claim.figures}"


def test_corrected_claims_carry_the_correct_statement_and_its_source():
    for claim in CLAIMS:
        if claim.verdict == "corrected":
            assert claim.correct and claim.source, claim.note


def test_mismatches_names_missing_invented_and_doubled_lines():
    one = claims.Claim("S", "a line", "explained", "book/intro")
    notes = "a line\n\n=====\n  another\tline \n"
    problems = claims.mismatches([one, one, claims.Claim("S", "not there", "explained", "book/intro")], notes)
    assert any("'another line' has no claim" in p for p in problems)
    assert any("'not there' is not a line" in p for p in problems)
    assert any("'a line' has 2 claims" in p for p in problems)


def test_load_refuses_an_unknown_verdict_and_a_correction_without_its_fact(tmp_path: Path):
    bad = tmp_path / "ledger.yml"
    bad.write_text("sections:\n- title: S\n  claims:\n  - {note: x, verdict: maybe, page: book/intro}\n")
    with pytest.raises(ValueError, match="verdict 'maybe'"):
        claims.load(bad)
    bad.write_text("sections:\n- title: S\n  claims:\n  - {note: x, verdict: corrected, page: book/intro}\n")
    with pytest.raises(ValueError, match="cites no fact"):
        claims.load(bad)


def test_a_recorded_figure_shows_nothing_and_is_read_back_from_the_outputs(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, raw: shown.append(data))
    ledger.record("proxy.storm.refused_direct", 12, "refused")
    output = {"output_type": "display_data", "data": shown[0], "metadata": {}}
    assert output["data"]["text/plain"] == ""
    assert ledger.is_figure_output(output)
    assert not ledger.is_figure_output({"output_type": "stream", "name": "stdout", "text": "12"})
    figures = ledger.figures_in([{"cell_type": "code", "outputs": [output]}, {"cell_type": "markdown"}])
    assert figures["proxy.storm.refused_direct"].text() == "12 refused"
    assert ledger.Figure("k.x", 0.12345, "s").text() == "0.123 s"


@pytest.mark.parametrize("key, value", [("Bad Key", 1), ("nodots", 1), ("a.b", math.nan), ("a.b", True), ("a.b", "3")])
def test_record_refuses_a_bad_key_or_a_value_that_is_not_a_finite_number(key, value):
    with pytest.raises(ValueError, match="ledger"):
        ledger.record(key, value, "unit")
