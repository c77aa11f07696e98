"""A product catalogue in PostgreSQL: the database the caching labs put a cache in front of.

Tens of thousands of products with their reviews, generated inside the server (one statement,
seconds), deterministic, and owned by one lab through its table prefix. A product page is one
query that joins and aggregates: the kind of read that costs milliseconds and is worth caching.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

CATEGORIES = 40
REVIEWS_PER_PRODUCT = 10


@dataclass(frozen=True)
class Catalog:
    """The tables ``<prefix>_products`` and ``<prefix>_reviews`` on ``engine``."""

    engine: Engine
    prefix: str
    products: int = 20_000

    def __post_init__(self):
        if not self.prefix.isidentifier() or not self.prefix.islower():
            raise ValueError(f"table prefix {self.prefix!r} must be a lower-case identifier")
        if self.products < 1:
            raise ValueError(f"a catalogue needs at least one product (got {self.products})")

    @property
    def product_table(self) -> str:
        return f"{self.prefix}_products"

    @property
    def review_table(self) -> str:
        return f"{self.prefix}_reviews"

    def create(self) -> int:
        """Create and fill the tables unless they already hold this catalogue; return the count.

        Prices are reset too, so a lab that updated some starts from the same data every run.
        """
        p, r = self.product_table, self.review_table
        with self.engine.begin() as conn:
            conn.execute(sa.text(
                f"CREATE TABLE IF NOT EXISTS {p} (id int PRIMARY KEY, name text NOT NULL,"
                f" category text NOT NULL, price numeric(10,2) NOT NULL, version int NOT NULL DEFAULT 1)"))
            conn.execute(sa.text(
                f"CREATE TABLE IF NOT EXISTS {r} (product_id int NOT NULL REFERENCES {p},"
                f" stars smallint NOT NULL, body text NOT NULL)"))
            conn.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {r}_product ON {r} (product_id)"))
            count = conn.execute(sa.text(f"SELECT count(*) FROM {p}")).scalar_one()
            if count != self.products:
                conn.execute(sa.text(f"TRUNCATE {r}, {p}"))
                conn.execute(sa.text(
                    f"INSERT INTO {p} (id, name, category, price) SELECT i, 'product ' || i,"
                    f" 'category ' || (i % {CATEGORIES}), 0 FROM generate_series(1, :n) AS i"),
                    {"n": self.products})
                conn.execute(sa.text(
                    f"INSERT INTO {r} SELECT p.id, 1 + (p.id * 7 + k * 13) % 5,"
                    f" md5((p.id * 100 + k)::text) FROM {p} p, generate_series(1, {REVIEWS_PER_PRODUCT}) k"))
            conn.execute(sa.text(f"UPDATE {p} SET price = 5 + (id * 37 % 9500) / 100.0, version = 1"
                                 f" WHERE price <> 5 + (id * 37 % 9500) / 100.0 OR version <> 1"))
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text(f"ANALYZE {p}, {r}"))
        return self.products

    def page(self, conn: Connection, product_id: int) -> dict | None:
        """The product page: the product, its review count and average, its three cheapest
        neighbours in the same category. None for an id that does not exist."""
        p, r = self.product_table, self.review_table
        row = conn.execute(sa.text(
            f"SELECT p.id, p.name, p.category, p.price, p.version, count(r.*) AS reviews,"
            f" round(avg(r.stars), 2) AS stars,"
            f" (SELECT array_agg(n.id ORDER BY n.price, n.id) FROM (SELECT id, price FROM {p} n"
            f"   WHERE n.category = p.category AND n.id <> p.id ORDER BY price, id LIMIT 3) n) AS related"
            f" FROM {p} p LEFT JOIN {r} r ON r.product_id = p.id WHERE p.id = :id GROUP BY p.id"),
            {"id": product_id}).mappings().one_or_none()
        if row is None:
            return None
        page = dict(row)
        page["price"] = str(page["price"])
        page["stars"] = str(page["stars"]) if page["stars"] is not None else None
        return page

    def set_price(self, conn: Connection, product_id: int, price: Decimal | float | str) -> int:
        """Change a price; bumps the row's version, which a reader can compare to spot stale data."""
        version = conn.execute(sa.text(
            f"UPDATE {self.product_table} SET price = :price, version = version + 1"
            f" WHERE id = :id RETURNING version"), {"id": product_id, "price": price}).scalar_one_or_none()
        if version is None:
            raise KeyError(f"no product {product_id} in {self.product_table}")
        return version

    def drop(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {self.review_table}, {self.product_table}"))
