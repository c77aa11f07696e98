"""A page ends with "## Check yourself": three to five questions in the style of the AWS
certification exams, each with four options A-D and one answer hidden in a <details> block that
renders in the book and in JupyterLab alike. A lab adds "## Try it": one or two exercises that
change a parameter the lab shows. Only the page's hidden checks may follow them.

Every page of the book that has the section is checked; every chapter and lab (REQUIRED) must have it.
"""
import re
from pathlib import Path

import jupytext
import pytest
import yaml
from myst_parser.mdit_to_docutils.base import default_slugify

ROOT = Path(__file__).parents[2]

CHECK, TRY = "## Check yourself", "## Try it"
HEADING = re.compile(rf"^{CHECK}$", re.M)
QUESTION = re.compile(r"^\*\*(\d+)\.\*\* \S", re.M)
OPTION = re.compile(r"^- \*\*([A-Z])\.\*\* \S", re.M)
ANSWER = "<details>\n<summary>Answer</summary>\n\n"
LINK = re.compile(r"\[[^\]]+\]\(([^)\s]+)\)")


def toc_files(node) -> list[str]:
    """Every `file:` of _toc.yml, in order, at any depth."""
    if isinstance(node, dict):
        own = [node["file"]] if "file" in node else []
        return own + [f for value in node.values() for f in toc_files(value)]
    if isinstance(node, list):
        return [f for item in node for f in toc_files(item)]
    return []


TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
BOOK = [f"{name}.md" for name in [TOC["root"], *toc_files(TOC.get("parts", []))]]
# Every chapter and lab: the pages of the parts after "Getting started".
REQUIRED = [f"{name}.md" for part in TOC["parts"][1:] for name in toc_files(part)]
PAGES = sorted({p for p in BOOK if HEADING.search((ROOT / p).read_text())} | set(REQUIRED))
by_page = pytest.mark.parametrize("page", PAGES)
by_lab = pytest.mark.parametrize("page", [p for p in PAGES if p.startswith("labs/")])


def cells(page: str):
    return jupytext.reads((ROOT / page).read_text(), fmt="md:myst").cells


def closing(page: str) -> tuple[str, list]:
    """The markdown from the "Check yourself" heading to the next code cell, and the cells after it."""
    all_cells = cells(page)
    at = next((i for i, c in enumerate(all_cells) if c.cell_type == "markdown" and HEADING.search(c.source)),
              None)
    assert at is not None, f"{page} has no '{CHECK}' section"
    end = next((i for i in range(at, len(all_cells)) if all_cells[i].cell_type != "markdown"), len(all_cells))
    text = "\n\n".join(c.source for c in all_cells[at:end])
    return text[HEADING.search(text).end():], all_cells[end:]


def sections(page: str) -> tuple[str, str | None]:
    """The text of "Check yourself" and of "Try it" (None when the page has none)."""
    text, _ = closing(page)
    check, found, tried = text.partition(f"\n{TRY}\n")
    return check, (tried if found else None)


def questions(check: str) -> list[tuple[int, str]]:
    """Each question's number and its text: scenario, options and answer."""
    marks = list(QUESTION.finditer(check))
    return [(int(m.group(1)), check[m.start():marks[i + 1].start() if i + 1 < len(marks) else len(check)])
            for i, m in enumerate(marks)]


def heading_anchors(page: str) -> set[str]:
    """The anchors MyST gives the page's headings, down to the depth _config.yml asks for, and
    the page's explicit targets (``(name)=`` above a heading)."""
    settings = {**CONFIG.get("parse", {}), **CONFIG.get("sphinx", {}).get("config", {})}
    depth = settings.get("myst_heading_anchors", 0)
    headings = [m for c in cells(page) if c.cell_type == "markdown"
                for m in re.findall(rf"^#{{1,{depth}}} (.+)$", c.source, re.M)] if depth else []
    targets = [t for c in cells(page) if c.cell_type == "markdown" for t in re.findall(r"^\(([\w-]+)\)=$", c.source, re.M)]
    return {default_slugify(re.sub(r"[`*]", "", h)) for h in headings} | set(targets)


def test_the_required_pages_are_in_the_book():
    assert [p for p in REQUIRED if p not in BOOK] == []


@by_page
def test_check_yourself_comes_last_followed_only_by_hidden_checks(page: str):
    assert len(HEADING.findall((ROOT / page).read_text())) == 1, f"{page}: one '{CHECK}' heading"
    text, after = closing(page)
    assert all(c.cell_type == "code" and "remove-cell" in c.metadata.get("tags", []) for c in after), (
        f"{page}: only hidden cells may follow '{CHECK}'")
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings in ([], [TRY]), f"{page}: only '{TRY}' may follow '{CHECK}', found {headings}"


@by_page
def test_three_to_five_numbered_questions(page: str):
    check, _ = sections(page)
    numbers = [n for n, _ in questions(check)]
    assert 3 <= len(numbers) <= 5 and numbers == list(range(1, len(numbers) + 1)), (
        f"{page}: 3 to 5 questions numbered **1.**, **2.**, ... in order; found {numbers}")
    assert not check[:QUESTION.search(check).start()].strip(), f"{page}: text before question 1"


@by_page
def test_each_question_has_options_a_to_d_and_one_answer_naming_one_of_them(page: str):
    check, _ = sections(page)
    for number, block in questions(check):
        where = f"{page}, question {number}"
        first_option = OPTION.search(block)
        stem = block[:first_option.start()] if first_option else block
        assert stem.rstrip().endswith("?"), f"{where}: the scenario ends with its question"
        letters = OPTION.findall(block)
        assert letters == ["A", "B", "C", "D"], f"{where}: options A, B, C, D in order, found {letters}"
        assert block.count("<details>") == block.count("</details>") == 1, f"{where}: one <details> answer"
        assert ANSWER in block, f"{where}: '<details>', '<summary>Answer</summary>', then a blank line"
        answer, _, rest = block.split(ANSWER, 1)[1].partition("</details>")
        assert answer.endswith("\n\n"), f"{where}: a blank line before </details>"
        assert not rest.strip(), f"{where}: nothing may follow </details> in a question"
        first = re.match(r"\*\*([A-D])\.\*\* \S", answer)
        assert first, f"{where}: the answer starts with the bold letter of an option, e.g. **B.**"


@by_page
def test_the_right_answer_is_not_always_in_the_same_place(page: str):
    check, _ = sections(page)
    letters = set(re.findall(r"<summary>Answer</summary>\s*\*\*([A-D])\.", check))
    assert len(letters) >= 2, f"{page}: every answer is {letters}; vary the position of the right option"


@by_page
def test_links_in_the_sections_lead_to_a_page_of_the_book_or_a_heading_of_it(page: str):
    text, _ = closing(page)
    anchors, broken = heading_anchors(page), []
    for target in LINK.findall(text):
        if target.startswith(("http://", "https://")):
            continue
        path, _, anchor = target.partition("#")
        if not path:
            ok = anchor in anchors
        else:
            linked = ((ROOT / page).parent / path).resolve()
            other = str(linked.relative_to(ROOT)) if linked.is_relative_to(ROOT) else ""
            ok = other in BOOK and (not anchor or anchor in heading_anchors(other))
        if not ok:
            broken.append(target)
    assert broken == [], f"{page}: links to no page of the book, or no heading of it: {broken}"


@by_lab
def test_a_lab_ends_with_one_or_two_exercises_on_a_parameter_it_shows(page: str):
    _, tried = sections(page)
    assert tried is not None, f"{page}: a lab has a '{TRY}' section after its questions"
    exercises = re.split(r"^- ", tried.strip(), flags=re.M)
    assert exercises[0] == "" and 1 <= len(exercises) - 1 <= 2, (
        f"{page}: '{TRY}' is a list of one or two exercises and nothing else")
    code = "\n".join(c.source for c in cells(page) if c.cell_type == "code"
                     and "remove-cell" not in c.metadata.get("tags", []))
    for exercise in exercises[1:]:
        where = f"{page}, exercise '{exercise[:40]}...'"
        assert re.match(r"\*\*[^*]+\.\*\* \S", exercise), f"{where}: starts with a bold title ending in '.'"
        names = [n for n in re.findall(r"`([^`]+)`", exercise) if re.search(r"[A-Za-z_]", n)]
        assert any(name in code for name in names), (
            f"{where}: names (in `backticks`) nothing a visible cell of the lab shows")
        assert "predict" in exercise, f"{where}: asks for a prediction before the run"
