from pathlib import Path

from labkit.endpoints import markdown_table

ROOT = Path(__file__).parents[2]


def test_readme_shows_the_endpoint_table_labkit_uses():
    assert markdown_table() in (ROOT / "README.md").read_text()


def test_ci_runs_the_readme_test_command():
    readme, ci = (ROOT / "README.md").read_text(), (ROOT / ".ci" / "run").read_text()
    assert "./course test" in readme and "./course test" in ci
    assert "./course book" in readme
