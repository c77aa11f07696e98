"""An orders table, an accidental ``DELETE`` without ``WHERE``, and a table of which orders each
copy holds.

The recovery labs tell the same story on PostgreSQL and MySQL: good writes, the accident, more
good writes, then a copy of the data as it was before the accident. Rows carry explicit ids in
separate ranges so a lab can say exactly which rows each copy holds (``holdings``). The SQL is
the same on both engines and runs in the caller's transaction; lab 6 shows it, and lab 23 makes
its accident with it.
"""
from __future__ import annotations

import sqlalchemy as sa


def create_orders(conn, table):
    """An empty orders table (dropping the one a previous run left)."""
    conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
    conn.execute(sa.text(
        f"CREATE TABLE {table} (id integer PRIMARY KEY,"
        " customer varchar(40) NOT NULL, amount_cents integer NOT NULL)"))


def write_orders(conn, table, ids):
    """One order per id."""
    conn.execute(
        sa.text(f"INSERT INTO {table} (id, customer, amount_cents)"
                " VALUES (:id, :customer, :amount_cents)"),
        [{"id": i, "customer": f"customer-{i % 97}",
          "amount_cents": i * 7919 % 100_000} for i in ids])


def the_accident(conn, table):
    """DELETE without a WHERE. Returns how many orders it removed."""
    return conn.execute(sa.text(f"DELETE FROM {table}")).rowcount


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
