"""Checks of the BUILT book in _build/html, as a reader's browser sees it.

The book must be built first (the test runner does it; by hand:
``.venv/bin/jupyter-book build --all -W -n --keep-going .``). These tests serve ``_build/html``
on a free localhost port, open every page of ``_toc.yml`` in headless Chromium (Debian's
``/usr/bin/chromium``, driven by Python playwright) and check that:

- every request goes to that local server, and none fails: the book works offline (no CDN for
  widgets, MathJax or fonts);
- no page logs a console error or throws an uncaught exception;
- ipywidgets really render in the static lab page (the html-manager turns each
  ``<script type="application/vnd.jupyter.widget-view+json">`` into widget DOM);
- every notebook page offers its executed ``.ipynb`` (with the outputs the page shows).
"""

from __future__ import annotations

import csv
import functools
import http.server
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from playwright.sync_api import Browser, ConsoleMessage, Page, Request
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "_build" / "html"
BUILD_COMMAND = ".venv/bin/jupyter-book build --all -W -n --keep-going ."
WIDGET_LAB = "labs/01-endpoints-and-replicas"

# Console errors that are not the book's fault. Each entry: (why, predicate on the message).
ALLOWED_CONSOLE_ERRORS = [
    (
        # Chromium asks every site for /favicon.ico on its own; the book declares no favicon,
        # so the probe 404s. Not a request of the page (playwright does not even report it).
        "browser's automatic /favicon.ico probe",
        lambda msg: msg.text.startswith("Failed to load resource")
        and urlsplit(msg.location.get("url", "")).path == "/favicon.ico",
    ),
]


def toc_docnames(toc_file: Path = REPO / "_toc.yml") -> list[str]:
    """The docnames of _toc.yml (jb-book format), root first, in reading order."""
    toc = yaml.safe_load(toc_file.read_text(encoding="utf-8"))
    names = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            for key in ("parts", "chapters", "sections"):
                walk(entry.get(key, []))

    walk(toc.get("parts", []) + toc.get("chapters", []))
    return [str(Path(name).with_suffix("")) if Path(name).suffix in {".md", ".ipynb"} else name
            for name in names]


PAGES = toc_docnames()


def _require_built_site() -> None:
    if not (SITE / "index.html").is_file():
        pytest.fail(
            f"{SITE} has no built book: run the build first, from {REPO}:\n    {BUILD_COMMAND}",
            pytrace=False,
        )


@pytest.fixture(scope="module")
def site_url() -> Iterator[str]:
    """Serve _build/html on a free 127.0.0.1 port for the tests of this module."""
    _require_built_site()

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib's name
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(SITE))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass
class Visit:
    """What one page load did."""

    url: str
    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    in_flight: set[Request] = field(default_factory=set)


def _wait_until_quiet(page: Page, visit: Visit, quiet_ms: int = 500,
                      timeout_ms: int = 30_000) -> None:
    """Wait until none of the page's own requests has been in flight for ``quiet_ms``.

    Playwright's "networkidle" rests on Chromium's own heuristic and once in a while never fired
    for a fully loaded page; counting the page's requests ourselves also names any that hang."""
    quiet = waited = 0
    while quiet < quiet_ms:
        if waited >= timeout_ms:
            pytest.fail(f"{visit.url}: requests still open after {timeout_ms} ms: "
                        f"{sorted(r.url for r in visit.in_flight)}", pytrace=False)
        page.wait_for_timeout(100)
        waited += 100
        quiet = 0 if visit.in_flight else quiet + 100


def _visit(browser: Browser, site_url: str, docname: str, then=None) -> Visit:
    """Load one page, wait until its requests are done, record what happened.

    ``then(page)`` runs after the load, before the page is closed.
    """
    origin = urlsplit(site_url).netloc
    visit = Visit(url=urljoin(site_url, f"{docname}.html"))
    context = browser.new_context()
    page: Page = context.new_page()

    def on_request(request: Request) -> None:
        visit.requests.append(request.url)
        visit.in_flight.add(request)

    def route(route, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in {"http", "https"} and parts.netloc != origin:
            visit.foreign.append(request.url)
            route.abort()  # there is no network here anyway; do not wait for it
        else:
            route.continue_()

    def on_failed(request: Request) -> None:
        visit.in_flight.discard(request)
        if request.url not in visit.foreign:
            visit.failed.append(f"{request.url}: {request.failure}")

    def on_response(response) -> None:
        if response.status >= 400:
            visit.failed.append(f"{response.url}: HTTP {response.status}")

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type != "error":
            return
        if any(allowed(msg) for _why, allowed in ALLOWED_CONSOLE_ERRORS):
            return
        visit.console_errors.append(f"{msg.text} (at {msg.location.get('url', '?')})")

    page.on("request", on_request)
    page.on("requestfailed", on_failed)
    page.on("requestfinished", lambda request: visit.in_flight.discard(request))
    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda error: visit.page_errors.append(str(error)))
    context.route("**/*", route)
    try:
        response = page.goto(visit.url, wait_until="load")
        assert response is not None and response.ok, f"{visit.url}: {response and response.status}"
        _wait_until_quiet(page, visit)
        if then is not None:
            then(page)
        # Let late scripts (MathJax typesetting, widget rendering) log what they have to say.
        page.wait_for_timeout(500)
    finally:
        context.close()
    return visit


def test_toc_lists_the_course_pages() -> None:
    assert PAGES[0] == "book/intro"
    assert WIDGET_LAB in PAGES


@pytest.mark.parametrize("docname", PAGES)
def test_page_loads_offline_without_errors(browser: Browser, site_url: str, docname: str) -> None:
    visit = _visit(browser, site_url, docname)
    assert visit.requests, f"{visit.url} made no request at all"
    assert not visit.foreign, f"{visit.url} requested other hosts: {visit.foreign}"
    assert not visit.failed, f"{visit.url} had failed requests: {visit.failed}"
    assert not visit.page_errors, f"{visit.url} threw: {visit.page_errors}"
    assert not visit.console_errors, f"{visit.url} logged errors: {visit.console_errors}"


# The html-manager inserts a div.widget-subarea before each widget-view script and renders the
# view in it: the view's root element has the class "jupyter-widgets" (plus widget-slider,
# widget-vbox, ...). A model it could not load renders as .jupyter-widgets-error-widget.
WIDGET_VIEW_SCRIPT = 'script[type="application/vnd.jupyter.widget-view+json"]'
RENDERED_WIDGET = ".widget-subarea > .jupyter-widgets:not(.jupyter-widgets-error-widget)"
ERROR_WIDGET = ".jupyter-widgets-error-widget"


def test_widgets_render_in_the_static_lab_page(browser: Browser, site_url: str) -> None:
    found: dict[str, int] = {}

    def count_widgets(page: Page) -> None:
        found["views"] = page.locator(WIDGET_VIEW_SCRIPT).count()
        if found["views"]:
            try:
                page.wait_for_selector(RENDERED_WIDGET, state="attached", timeout=30_000)
            except PlaywrightTimeoutError:
                pass  # counted as 0 below, with the page's errors in the message
        found["rendered"] = page.locator(RENDERED_WIDGET).count()
        found["errors"] = page.locator(ERROR_WIDGET).count()

    visit = _visit(browser, site_url, WIDGET_LAB, then=count_widgets)
    assert found["views"] >= 1, (
        f"{visit.url} has no widget output: was the lab executed with its widget state "
        "(a cell whose value is an ipywidget)?"
    )
    assert found["rendered"] >= 1, (
        f"{visit.url}: none of its {found['views']} widget views rendered; "
        f"foreign requests {visit.foreign}, failed {visit.failed}, "
        f"errors {visit.page_errors + visit.console_errors}"
    )
    assert found["errors"] == 0, f"{visit.url}: {found['errors']} widget(s) failed to render"
    assert not visit.page_errors and not visit.console_errors, (
        visit.page_errors + visit.console_errors
    )


@pytest.mark.parametrize("docname", PAGES)
def test_notebook_pages_offer_their_executed_ipynb(docname: str) -> None:
    """A page with code cells links its .ipynb, and that notebook has the outputs shown."""
    _require_built_site()
    html = (SITE / f"{docname}.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]*_sources/[^"]*\.ipynb)"', html)
    has_code_cells = re.search(r'class="cell\b', html) is not None  # not cell_output
    shown_outputs = len(re.findall(r'class="cell_output\b', html))
    if not has_code_cells and not links:
        return  # a page without code cells: nothing executed, nothing to download
    assert links, f"{docname}.html has code cells but no .ipynb in its download menu"
    target = (SITE / docname).parent / links[0]
    assert target.is_file(), f"{docname}.html links a missing {links[0]}"
    notebook = json.loads(target.read_text(encoding="utf-8"))
    with_outputs = sum(
        1 for cell in notebook["cells"] if cell["cell_type"] == "code" and cell.get("outputs")
    )
    # >=: a cell tagged remove-output keeps its outputs in the notebook but not on the page.
    assert with_outputs >= shown_outputs, (
        f"{links[0]} has outputs in {with_outputs} cells but the page shows {shown_outputs}: "
        "the download is not the executed notebook"
    )


LEDGER_PAGE = "book/claims"
LEDGER_CSV = SITE / "book" / "claims-ledger.csv"


def _ledger_rows() -> list[dict[str, str]]:
    _require_built_site()
    assert LEDGER_CSV.is_file(), f"the build wrote no {LEDGER_CSV.relative_to(REPO)} (book/_ext/claims_ledger.py)"
    with LEDGER_CSV.open(encoding="utf-8", newline="") as rows:
        return list(csv.DictReader(rows))


def test_the_claims_ledger_has_a_row_per_claim_with_this_builds_figures() -> None:
    from labkit import claims

    ledger_claims, rows = claims.load(), _ledger_rows()
    assert [r["note"] for r in rows] == [c.note for c in ledger_claims], "the CSV's rows are not the ledger's claims"
    unmeasured = [r["note"] for r in rows if r["figure keys"] and
                  len([f for f in r["measured"].split("; ") if f]) != len(r["figure keys"].split())]
    assert not unmeasured, f"claims whose figures the build did not fill in: {unmeasured}"
    html = (SITE / f"{LEDGER_PAGE}.html").read_text(encoding="utf-8")
    assert 'href="claims-ledger.csv"' in html, f"{LEDGER_PAGE}.html does not link its CSV"
    assert html.count("<tr") >= len(rows), f"{LEDGER_PAGE}.html shows fewer table rows than the {len(rows)} claims"
    missing = [r["measured"] for r in rows if r["measured"] and r["measured"].split("; ")[0] not in html]
    assert not missing, f"figures of the CSV that the page does not show: {missing}"


def test_every_link_of_the_claims_ledger_resolves() -> None:
    broken = []
    for row in _ledger_rows():
        page, _, anchor = row["link"].partition("#")
        target = (SITE / LEDGER_PAGE).parent / page
        if not target.is_file() or (anchor and f'id="{anchor}"' not in target.read_text(encoding="utf-8")):
            broken.append(f"{row['note']!r} -> {row['link']}")
    assert not broken, f"links of the claims ledger that lead nowhere: {broken}"
