"""The suite's way of running a page (conftest.py), on a page of its own: nbval runs it cell by
cell; a page that passes is stored, with its outputs, in the build's execution cache; a hidden check
that fails is reported by page and cell number and leaves no result of the page in the cache."""
import shutil
from pathlib import Path

from jupyter_cache import get_cache

ROOT = Path(__file__).parents[2]
pytest_plugins = ["pytester"]
PAGE = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
---

# A page

```{{code-cell}} ipython3
shown = 6 * 7
print(shown)
```

```{{code-cell}} ipython3
:tags: [remove-cell]

assert shown == {expected}, "the page no longer shows {expected}"
```
"""


def test_a_page_that_passes_is_cached_and_a_failing_check_names_its_cell(pytester, monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)  # one page: run it on this worker's cloud
    shutil.copy(ROOT / "conftest.py", pytester.path)
    (pytester.path / "_config.yml").write_text("execute:\n  cache: _build/.jupyter_cache\n  timeout: 60\n")
    page = pytester.path / "labs" / "page.md"
    page.parent.mkdir()
    cache = get_cache(pytester.path / "_build" / ".jupyter_cache")

    page.write_text(PAGE.format(expected=42))
    pytester.runpytest_subprocess("--nbval-lax", "-p", "no:cacheprovider", "labs").assert_outcomes(passed=2)
    [record] = cache.list_cache_records()
    shown = cache.get_cache_bundle(record.pk).nb.cells[0]  # the cache keeps code cells only
    assert (shown.execution_count, shown.outputs[0].text) == (1, "42\n")

    page.write_text(PAGE.format(expected=43))
    failed = pytester.runpytest_subprocess("--nbval-lax", "-p", "no:cacheprovider", "labs")
    failed.assert_outcomes(passed=1, failed=1)
    failed.stdout.fnmatch_lines(["*labs/page.md::Cell 1*", "*AssertionError*: the page no longer shows 43*"])
    assert cache.list_cache_records() == []
