"""Pinned clients and the server connections they hold: the model and the bookkeeping."""
import matplotlib
import pytest

matplotlib.use("Agg")

from labkit.proxy import pinning, plots  # noqa: E402
from labkit.services import pgbouncer  # noqa: E402


def test_the_model_needs_one_connection_per_pinned_client_and_a_share_for_the_rest():
    assert pinning.modelled_servers(16, 0, 0.25) == pytest.approx(4)
    assert pinning.modelled_servers(16, 16, 0.25) == pytest.approx(16)
    assert pinning.modelled_servers(16, 8, 0.25) == pytest.approx(10)
    shares = [pinning.modelled_servers(10, k, 0.1) for k in range(11)]
    assert shares == sorted(shares)


def test_more_pinned_clients_than_clients_is_refused_before_anything_runs():
    with pytest.raises(ValueError, match="pinned must be between 0 and clients"):
        pinning.run(lambda conn: None, "a", "b", ("lab",), clients=4, pinned=5, seconds=0.1)


def test_the_table_and_the_figure_show_each_share_with_the_labelled_model():
    points = [pinning.Point(8, k, 100, k + 2, k + 1.0) for k in (0, 4, 8)]
    assert points[1].pinned_share == 0.5
    table = pinning.table(points, busy=0.125)
    assert "MODEL" in table and table.count("\n") == 4 and "| 4 | 8 | 100 | 6 | 5.0 | 4.5 |" in table
    fig = plots.pinning(points, 0.125, pinning.modelled_servers)
    assert any("MODEL" in t.get_text() for t in fig.axes[0].get_legend().get_texts())


def test_the_proxy_serves_the_course_database_in_session_mode_under_a_second_name(state_home):
    text = pgbouncer.config_text(state_home)
    name = pgbouncer.session_database("lab")
    assert f"\n{name} = host=" in text and "dbname=lab pool_mode=session\n" in text
