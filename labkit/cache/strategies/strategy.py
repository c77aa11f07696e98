"""A caching strategy as a lab writes it: its read and write functions, its key prefix and TTL.

The page's functions take the prefix and TTL as their last arguments, so one function serves
several strategies side by side (each under its own prefix, so none sees another's entries).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Strategy:
    """``read(cache, conn, product_id, prefix, ttl)`` returns a product page;
    ``write(cache, conn, product_id, price, prefix, ttl)`` changes a price and returns the row's
    new version."""

    label: str
    read_page: Callable
    write_price: Callable
    prefix: str
    ttl: float | None = None

    def __post_init__(self):
        if not self.prefix.endswith(":"):
            raise ValueError(f"prefix {self.prefix!r} must end with ':'")
        if self.ttl is not None and self.ttl <= 0:
            raise ValueError(f"ttl must be positive seconds or None for no expiry (got {self.ttl})")

    def read(self, cache, conn, product_id: int) -> dict | None:
        return self.read_page(cache, conn, product_id, self.prefix, self.ttl)

    def write(self, cache, conn, product_id: int, price) -> int:
        return self.write_price(cache, conn, product_id, price, self.prefix, self.ttl)
