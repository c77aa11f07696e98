import pytest
import sqlalchemy as sa

from labkit.aurora import accident


@pytest.fixture
def engines(tmp_path):
    live = sa.create_engine(f"sqlite:///{tmp_path / 'live.db'}")
    copy = sa.create_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    for engine in (live, copy):
        accident.reset(engine, "lab06")
    return live, copy


def test_the_accident_deletes_every_row(engines):
    live, _ = engines
    accident.write_orders(live, "lab06", range(1, 1201))
    assert accident.delete_everything(live, "lab06") == 1200
    assert accident.order_ids(live, "lab06") == set()


def test_copy_back_restores_missing_rows_and_keeps_later_ones(engines):
    live, copy = engines
    accident.write_orders(copy, "lab06", range(1, 1001))
    accident.write_orders(live, "lab06", range(5001, 5011))
    accident.write_orders(live, "lab06", range(1, 3))  # two rows survived, say
    assert accident.copy_back(copy, live, "lab06") == 998
    assert accident.order_ids(live, "lab06") == set(range(1, 1001)) | set(range(5001, 5011))


def test_copy_back_twice_copies_nothing_the_second_time(engines):
    live, copy = engines
    accident.write_orders(copy, "lab06", range(1, 11))
    accident.copy_back(copy, live, "lab06")
    assert accident.copy_back(copy, live, "lab06") == 0


def test_ids_are_counted_by_the_period_that_wrote_them():
    periods = {"morning": range(1, 11), "evening": range(100, 105)}
    assert accident.count_by_period({1, 2, 3, 101, 500}, periods) == {"morning": 3, "evening": 1}


def test_the_holdings_table_has_one_row_per_period_and_one_column_per_copy():
    table = accident.holdings({"morning": range(1, 11)}, {"restored": {1, 2}, "live": set()})
    assert table.splitlines() == ["| orders written | restored | live |", "|---|---|---|",
                                  "| morning | 2 of 10 | 0 of 10 |"]
