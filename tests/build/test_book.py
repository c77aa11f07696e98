"""The book builds with every page and lab executed against the local cloud, warnings as errors.

Runs before test_site.py, which checks the result in a browser. A failing cell fails the build.
"""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_the_book_builds_clean():
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    done = subprocess.run([str(jupyter_book), "build", "--all", "-W", "-n", "--keep-going", "."],
                          cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, f"{done.stdout[-6000:]}\n{done.stderr[-6000:]}"
