"""What a learner meets in JupyterLab. Opening a page or lab and saving it unchanged must not leave
it modified in ``git status``: JupyterLab writes the running kernel's spec into the notebook and
saves through jupytext, with the repository's [tool.jupytext] settings. And the hidden cells that
check a page are visible there: each check says in words what the page no longer shows."""
import ast
from pathlib import Path

import jupytext
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupytext.config import find_jupytext_configuration_file, load_jupytext_configuration_file

ROOT = Path(__file__).parents[2]
PAGES = sorted(p for folder in ("book", "labs") for p in (ROOT / folder).rglob("*.md")
               if ".ipynb_checkpoints" not in p.parts and p.read_text().startswith("---\njupytext:"))
by_name = pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))


def test_the_pages_are_found():
    assert ROOT / "labs" / "01-endpoints-and-replicas.md" in PAGES


@by_name
def test_jupytext_writes_the_page_back_unchanged(page: Path):
    config = load_jupytext_configuration_file(find_jupytext_configuration_file(str(page.parent)))
    text = page.read_text()
    assert jupytext.writes(jupytext.reads(text, fmt="md:myst"), fmt="md:myst", config=config) == text


@by_name
def test_the_page_names_its_kernel_as_the_kernel_names_itself(page: Path):
    declared = jupytext.reads(page.read_text(), fmt="md:myst").metadata["kernelspec"]
    spec = KernelSpecManager().get_kernel_spec(declared["name"])
    assert (declared["display_name"], declared["language"]) == (spec.display_name, spec.language)


@by_name
def test_every_hidden_check_says_what_the_page_no_longer_shows(page: Path):
    cells = jupytext.reads(page.read_text(), fmt="md:myst").cells
    hidden = [c.source for c in cells if c.cell_type == "code" and "remove-cell" in c.metadata.get("tags", [])]
    wordless = [ast.unparse(node) for source in hidden for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.Assert) and not isinstance(node.msg, (ast.Constant, ast.JoinedStr))]
    assert wordless == []
