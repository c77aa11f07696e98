"""How a table's footprint grows as rows arrive, and what gives space back, in Aurora's terms.

Aurora's cluster volume grows by itself in 10 GiB segments; on current versions it also shrinks
("dynamic resizing"), but only when a table or database is dropped, truncated or reorganised,
not when rows are deleted. PostgreSQL's files behave the same way on a local disk: DELETE leaves
the space inside the table for reuse, TRUNCATE or DROP gives it back. ``measure_growth`` records
the size after each step so a page can show both.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

GiB, TiB = 2**30, 2**40
SEGMENT = 10 * GiB          # Aurora's growth step ("Quotas and constraints for Amazon Aurora")
VOLUME_LIMIT = 128 * TiB    # 256 TiB on recent engine versions (same page)


@dataclass(frozen=True)
class Step:
    label: str
    rows: int
    bytes: int

    @property
    def segments(self) -> int:
        """Aurora segments this size would occupy: at least one, since a volume starts with one."""
        return max(1, math.ceil(self.bytes / SEGMENT))


def _size(conn, table: str) -> int:
    return conn.execute(sa.text("SELECT pg_total_relation_size(CAST(:t AS regclass))"), {"t": table}).scalar_one()


def _rows(conn, table: str) -> int:
    return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def measure_growth(engine: Engine, table: str, steps: int = 4, rows_per_step: int = 25_000) -> list[Step]:
    """Create ``table``, load it in ``steps`` batches, delete half its rows and vacuum, then
    truncate it; return the size (heap + indexes + TOAST) after each stage. Drops the table."""
    out = []
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        conn.execute(sa.text(f"CREATE TABLE {table} (id bigint PRIMARY KEY, payload text NOT NULL)"))
        out.append(Step("created", 0, _size(conn, table)))
    for step in range(steps):
        with engine.begin() as conn:
            conn.execute(sa.text(f"INSERT INTO {table} SELECT g, repeat(md5(g::text), 4)"
                                 f" FROM generate_series(CAST(:a AS bigint), CAST(:b AS bigint)) AS g"),
                         {"a": step * rows_per_step + 1, "b": (step + 1) * rows_per_step})
            out.append(Step(f"insert batch {step + 1}", _rows(conn, table), _size(conn, table)))
    with engine.begin() as conn:  # delete the oldest half: the newest rows keep the file's tail in use
        conn.execute(sa.text(f"DELETE FROM {table} WHERE id <= :half"), {"half": steps * rows_per_step // 2})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f"VACUUM {table}"))
        out.append(Step("delete half + VACUUM", _rows(conn, table), _size(conn, table)))
        conn.execute(sa.text(f"TRUNCATE {table}"))
        out.append(Step("TRUNCATE", 0, _size(conn, table)))
        conn.execute(sa.text(f"DROP TABLE {table}"))
    return out
