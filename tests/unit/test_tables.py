import pytest

from labkit import tables


def test_numbers_right_text_left_none_as_a_dash_and_pipes_escaped():
    text = tables.markdown(["what", "ms"], [["a|b", 1.5], ["c", None]], align="lr")
    assert text.splitlines() == ["| what | ms |", "|---|---:|", "| a\\|b | 1.5 |", "| c | - |"]


def test_a_row_of_the_wrong_width_is_refused():
    with pytest.raises(ValueError, match="2 cells for 3 columns"):
        tables.markdown(["a", "b", "c"], [[1, 2]])


def test_a_bad_alignment_is_refused():
    with pytest.raises(ValueError, match="each 'l' or 'r'"):
        tables.markdown(["a"], [[1]], align="c")
