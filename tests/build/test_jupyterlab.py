"""The labs as a learner uses them: ``./course lab``, a double-click in JupyterLab's file browser,
Run All, in a real browser (Debian's Chromium through playwright).

JupyterLab is started as ``./course lab`` starts it (the course's .jupyter settings, its venv),
headless on a free port with a token, and with settings, workspaces and checkpoints of its own, so
a learner's own JupyterLab settings neither change the test nor are changed by it; the labs run
against the local cloud that is up. For one Aurora lab and one ElastiCache lab, the test checks that the lab
opens as a notebook, runs top to bottom without an error or a stray stderr line, draws its widgets
and plots, and that its explorer answers a change. Then, as a learner who has played with the
explorer might, it runs the lab's hidden checks again (they must still pass), and saves the lab:
the ``.md`` must not change. JupyterLab is stopped by its PID at the end.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import jupytext
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

REPO = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_S = 600  # a whole lab, as the book build allows one cell
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
PROMPTS = ".jp-CodeCell .jp-InputPrompt"


def _quorum_explorer_fails_an_az(notebook: Locator) -> None:
    notebook.locator(".jupyter-widgets button", has_text="fail AZ a").click()
    expect(notebook.locator(".widget-html", has_text="AZ a is down")).to_be_visible(timeout=30_000)


def _eviction_explorer_runs_another_policy(notebook: Locator) -> None:
    notebook.locator(".widget-dropdown", has_text="maxmemory-policy").locator("select").select_option("noeviction")
    notebook.locator(".jupyter-widgets button", has_text="Run").click()
    expect(notebook.locator(".widget-html", has_text="#2 noeviction")).to_be_visible(timeout=120_000)


# One Aurora lab and one ElastiCache lab, each with a change to make in its explorer. Lab 2 stands
# for the Aurora part: lab 1 (live endpoints) takes three times longer, and nbval runs it anyway.
LABS: dict[str, Callable[[Locator], None]] = {
    "labs/02-quorum-storage.md": _quorum_explorer_fails_an_az,
    "labs/12-ttl-and-eviction.md": _eviction_explorer_runs_another_policy,
}


def _api(base: str, token: str, path: str, method: str = "GET"):
    request = urllib.request.Request(f"{base}/api/{path}", method=method,
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read() or b"null")


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """``./course lab`` on a free port: yields (base URL, token); stopped by its PID afterwards."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    token, own = secrets.token_hex(16), tmp_path_factory.mktemp("jupyterlab")
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(own / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(own / "workspaces")}
    log = own / "jupyterlab.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [str(REPO / "course"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
             "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
             f"--FileCheckpoints.checkpoint_dir={own / 'checkpoints'}"],  # none left in labs/
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # ./course lab first brings the local cloud up
        while True:
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"./course lab did not serve {base}:\n{log.read_text()[-3000:]}", pytrace=False)
            try:
                _api(base, token, "status")
                break
            except OSError:
                time.sleep(0.5)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # JupyterLab can hang on SIGTERM while a kernel starts
            server.kill()
            server.wait()


def _kernel_state(page: Page) -> str:
    """The status bar's kernel state, "Idle" or "Busy" ("" until a kernel is connected)."""
    found = re.search(r"\| (\w+)", " ".join(page.locator(".jp-StatusBar-TextItem").all_text_contents()))
    return found.group(1) if found else ""


def _run_and_wait(page: Page, notebook: Locator, start: Callable[[], None], what: str) -> None:
    """``start()`` running cells, then wait until they are done (or one failed)."""
    before = notebook.locator(PROMPTS).all_text_contents()
    start()
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while True:
        prompts = notebook.locator(PROMPTS).all_text_contents()
        if prompts != before and not any("*" in p for p in prompts) and _kernel_state(page) == "Idle":
            return
        if time.monotonic() > deadline:
            pytest.fail(f"{what} still running after {RUN_TIMEOUT_S} s: {prompts}", pytrace=False)
        page.wait_for_timeout(250)


def _run_all(page: Page) -> None:
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def _assert_ran_cleanly(notebook: Locator, lab: str) -> None:
    prompts = notebook.locator(PROMPTS).all_text_contents()
    assert all(re.fullmatch(r"\[\d+\]:", p) for p in prompts), f"{lab}: not every cell ran: {prompts}"
    stderr = notebook.locator('[data-mime-type="application/vnd.jupyter.stderr"]').all_text_contents()
    assert not stderr, f"{lab} shows an error or stderr output:\n" + "\n".join(stderr)[-3000:]


@pytest.mark.parametrize("lab", LABS)
def test_a_lab_runs_in_jupyterlab_as_a_learner_runs_it(browser: Browser, jupyterlab, lab: str):
    base, token = jupyterlab
    source = REPO / lab
    saved = source.read_bytes()
    cells = [c for c in jupytext.read(source).cells if c.cell_type == "code"]
    hidden = [i for i, c in enumerate(cells) if "remove-cell" in c.metadata.get("tags", [])]
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{base}/lab?reset&token={token}")  # reset: no notebook reopened from an earlier test
        folder, name = lab.split("/")
        page.locator(".jp-DirListing-item", has_text=folder).first.dblclick()
        page.locator(".jp-DirListing-item", has_text=name).dblclick()
        notebook = page.locator(NOTEBOOK)
        expect(notebook.locator(".jp-CodeCell")).to_have_count(len(cells), timeout=60_000)  # a notebook, not text
        page.wait_for_function("() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]"
                               ".some(e => / \\| Idle$/.test(e.textContent))", timeout=120_000)

        _run_and_wait(page, notebook, lambda: _run_all(page), "Run All")
        _assert_ran_cleanly(notebook, lab)
        widgets = notebook.locator(".jp-OutputArea-output .jupyter-widgets")
        assert widgets.count() > 0, f"{lab}: no widget drawn"
        assert notebook.locator(".jupyter-widgets-error-widget").count() == 0, f"{lab}: a widget failed to draw"
        assert notebook.locator(".jp-RenderedImage img").count() > 0, f"{lab}: no plot drawn as an image"
        assert notebook.get_by_text("<Figure size").count() == 0, f"{lab}: a plot shown as text"

        LABS[lab](notebook)  # the explorer answers a change

        code_cells = notebook.locator(".jp-CodeCell")
        code_cells.nth(hidden[0]).locator(".jp-InputPrompt").click()
        code_cells.nth(hidden[-1]).locator(".jp-InputPrompt").click(modifiers=["Shift"])
        _run_and_wait(page, notebook, lambda: page.keyboard.press("Control+Enter"), "the hidden checks")
        _assert_ran_cleanly(notebook, lab)

        written = source.stat().st_mtime_ns
        page.keyboard.press("Control+s")
        deadline = time.monotonic() + 30
        while source.stat().st_mtime_ns == written:
            assert time.monotonic() < deadline, f"{lab} was not saved"
            page.wait_for_timeout(250)
        assert source.read_bytes() == saved, f"saving {lab} unchanged in JupyterLab rewrote it"
    finally:
        context.close()
        for session in _api(base, token, "sessions"):
            _api(base, token, f"sessions/{session['id']}", method="DELETE")  # shuts its kernel down
