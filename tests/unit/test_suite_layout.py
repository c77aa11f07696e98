"""The test folders have no __init__.py, so pytest imports test modules by file name: two modules
with one name in two folders break collection of the second."""
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).parents[1]


def test_every_test_module_name_is_unique_across_the_test_folders():
    names = Counter(p.name for p in TESTS.rglob("test_*.py"))
    assert [n for n, count in names.items() if count > 1] == []
