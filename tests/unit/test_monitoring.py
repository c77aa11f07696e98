"""monitoring: the table a page prints (no servers)."""
from __future__ import annotations

from labkit.aurora import monitoring


def test_markdown_table_formats_cells():
    rows = [{"query": "SELECT a | b", "calls": 3, "total_ms": 1234.56, "lag": None}]
    table = monitoring.markdown_table(rows, {"query": "statement", "calls": "calls",
                                             "total_ms": "total ms", "lag": "lag"})
    assert table.splitlines() == [
        "| statement | calls | total ms | lag |",
        "|---|---|---|---|",
        "| SELECT a \\| b | 3 | 1,234.6 | - |",
    ]


def test_markdown_table_cuts_long_text():
    table = monitoring.markdown_table([{"q": "x" * 100}], {"q": "q"}, width=10)
    assert table.splitlines()[-1] == "| " + "x" * 9 + "… |"


def test_markdown_table_reads_rows_with_attributes():
    from collections import namedtuple
    Row = namedtuple("Row", "query calls")
    table = monitoring.markdown_table([Row("SELECT 1", 7)], {"query": "statement", "calls": "calls"})
    assert table.splitlines()[-1] == "| SELECT 1 | 7 |"
