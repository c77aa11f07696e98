import pytest
import sqlalchemy as sa

from labkit.aurora import accident


@pytest.fixture
def live(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'live.db'}")
    with engine.begin() as conn:
        accident.create_orders(conn, "lab06_orders")
    return engine


def test_the_accident_deletes_every_row(live):
    with live.begin() as conn:
        accident.write_orders(conn, "lab06_orders", range(1, 1201))
    with live.begin() as conn:
        assert accident.the_accident(conn, "lab06_orders") == 1200
    with live.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM lab06_orders")).scalar() == 0


def test_creating_the_table_again_empties_it(live):
    with live.begin() as conn:
        accident.write_orders(conn, "lab06_orders", [1, 2])
        accident.create_orders(conn, "lab06_orders")
        assert conn.execute(sa.text("SELECT count(*) FROM lab06_orders")).scalar() == 0


def test_ids_are_counted_by_the_period_that_wrote_them():
    periods = {"morning": range(1, 11), "evening": range(100, 105)}
    assert accident.count_by_period({1, 2, 3, 101, 500}, periods) == {"morning": 3, "evening": 1}


def test_the_holdings_table_has_one_row_per_period_and_one_column_per_copy():
    table = accident.holdings({"morning": range(1, 11)}, {"restored": {1, 2}, "live": set()})
    assert table.splitlines() == ["| orders written | restored | live |", "|---|---|---|",
                                  "| morning | 2 of 10 | 0 of 10 |"]
