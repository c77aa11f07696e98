"""An orders table, an accidental ``DELETE`` without ``WHERE``, and a table of which orders each
copy holds.

The recovery labs tell the same story on PostgreSQL and MySQL: good writes, the accident, more
good writes, then a copy of the data as it was before the accident. Rows carry explicit ids in
separate ranges so a lab can say exactly which rows each copy holds (``holdings``). Written once
with SQLAlchemy Core for both engines, for the labs whose lesson is the recovery rather than the
orders' SQL.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

BATCH = 500  # rows per INSERT statement


def orders_table(prefix: str) -> sa.Table:
    return sa.Table(
        f"{prefix}_orders", sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("customer", sa.String(40), nullable=False),
        sa.Column("amount_cents", sa.Integer, nullable=False),
    )


def reset(engine: Engine, prefix: str) -> sa.Table:
    """Drop and recreate the orders table, empty."""
    table = orders_table(prefix)
    table.metadata.drop_all(engine)
    table.metadata.create_all(engine)
    return table


def drop(engine: Engine, prefix: str) -> None:
    orders_table(prefix).metadata.drop_all(engine)


def _row(order_id: int) -> dict:
    return {"id": order_id, "customer": f"customer-{order_id % 97}",
            "amount_cents": (order_id * 7919) % 100_000}


def write_orders(engine: Engine, prefix: str, ids: range) -> range:
    """Insert one order per id, in a few transactions; returns ``ids``."""
    table = orders_table(prefix)
    for start in range(ids.start, ids.stop, BATCH):
        with engine.begin() as conn:
            conn.execute(table.insert(), [_row(i) for i in range(start, min(start + BATCH, ids.stop))])
    return ids


def delete_everything(engine: Engine, prefix: str) -> int:
    """The accident: ``DELETE FROM orders`` with no ``WHERE``. Returns how many rows it removed."""
    with engine.begin() as conn:
        return conn.execute(orders_table(prefix).delete()).rowcount


def count_by_period(ids: set[int], periods: dict[str, range]) -> dict[str, int]:
    """How many of ``ids`` fall in each named range of ids (when the orders were written)."""
    return {name: len(ids.intersection(span)) for name, span in periods.items()}


def holdings(periods: dict[str, range], copies: dict[str, set[int]]) -> str:
    """A Markdown table: for each period, how many of its orders each copy of the table holds."""
    counts = {name: count_by_period(ids, periods) for name, ids in copies.items()}
    rows = ["| orders written | " + " | ".join(copies) + " |", "|---" * (len(copies) + 1) + "|"]
    rows += [f"| {period} | " + " | ".join(f"{counts[name][period]} of {len(span)}" for name in copies) + " |"
             for period, span in periods.items()]
    return "\n".join(rows)
