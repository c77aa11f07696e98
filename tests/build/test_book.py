"""The built book: it builds with every page and lab executed, warnings as errors, then a browser
reads every page (site_checks.py).

Both live in this one module so that, with pytest-xdist's ``--dist loadfile``, the browser checks
run after the build and on the same worker. A failing cell fails the build. The build runs after
the suite has run every page with nbval and stored it in the build's cache (conftest.py), so it
renders those runs and runs no page again: one execution per page per test run.
"""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_the_book_builds_clean():
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    done = subprocess.run([str(jupyter_book), "build", "--all", "-W", "-n", "--keep-going", "."],
                          cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, f"{done.stdout[-6000:]}\n{done.stderr[-6000:]}"
    ran_again = re.findall(r"^(\S+): Executing notebook", done.stdout + done.stderr, re.MULTILINE)
    assert not ran_again, f"the build ran these pages instead of rendering the suite's runs: {ran_again}"


from site_checks import *  # noqa: E402,F401,F403 — collected here, after the build
