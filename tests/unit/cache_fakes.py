"""In-memory stand-ins for Redis and the catalogue, shared by the unit tests of the cache labs, and
read and write functions shaped as the labs write theirs."""
import fnmatch
import json
import time
from contextlib import contextmanager, nullcontext

import redis


class FakeRedis:
    """The Redis calls the caching strategies make. Entries expire on the real clock, MEMORY USAGE
    is the value's length, and ``stop()`` makes every call fail as a dead node does. An MGET, or a
    pipeline, sees one instant of the clock, as Redis runs it in one go however slow this fake is:
    keys given one TTL together expire together."""

    def __init__(self):
        self.data = {}  # key -> (value, deadline or None)
        self.up = True
        self.now = None  # the frozen clock inside at_one_instant(), else None

    @contextmanager
    def at_one_instant(self):
        outer = self.now
        self.now = time.monotonic() if outer is None else outer
        try:
            yield
        finally:
            self.now = outer

    def _clock(self):
        return time.monotonic() if self.now is None else self.now

    def stop(self):
        self.up = False

    def replace(self):
        """A new, empty node where the stopped one was."""
        self.data, self.up = {}, True

    def _check(self):
        if not self.up:
            raise redis.ConnectionError("Connection refused")

    def _live(self, key):
        self._check()
        value, deadline = self.data.get(key, (None, None))
        if deadline is not None and self._clock() >= deadline:
            del self.data[key]
            return None
        return value

    def get(self, key):
        return self._live(key)

    def mget(self, keys, *args):
        with self.at_one_instant():
            return [self._live(k) for k in [*keys, *args]]

    def set(self, key, value, ex=None, px=None):
        self._check()
        ttl = px / 1000 if px is not None else ex
        self.data[key] = (value, None if ttl is None else self._clock() + ttl)
        return True

    def expire(self, key, seconds):
        """EXPIRE: a new deadline for a live key; False (nothing done) for a missing one."""
        value = self._live(key)
        if value is None:
            return False
        self.data[key] = (value, self._clock() + seconds)
        return True

    def pttl(self, key):
        """Milliseconds left; -1 for a key without a TTL, -2 for a missing one, as Redis answers."""
        if self._live(key) is None:
            return -2
        deadline = self.data[key][1]
        return -1 if deadline is None else round((deadline - self._clock()) * 1000)

    def delete(self, *keys):
        self._check()
        return sum(self._live(k) is not None and self.data.pop(k) is not None for k in keys)

    def unlink(self, *keys):
        return sum(self.delete(k) for k in keys)

    def scan_iter(self, match, count=None):
        """Keys matching the glob ``match`` (``*``, ``?``, ``[...]``), as SCAN's MATCH does."""
        return [k for k in list(self.data) if fnmatch.fnmatchcase(k, match) and self._live(k)]

    def memory_usage(self, key):
        value = self._live(key)
        return None if value is None else len(value)

    def pipeline(self, transaction=True):
        return Pipeline(self)


class Pipeline:
    """Queues any call and runs it on the client at ``execute``, as a redis-py pipeline does
    (at one instant, if the client is a FakeRedis)."""

    def __init__(self, client):
        self.client, self.calls = client, []

    def __getattr__(self, name):
        return lambda *args, **kwargs: self.calls.append((name, args, kwargs))

    def execute(self, raise_on_error=True):
        results = []
        with getattr(self.client, "at_one_instant", nullcontext)():
            for name, args, kwargs in self.calls:
                try:
                    results.append(getattr(self.client, name)(*args, **kwargs))
                except redis.RedisError as exc:
                    if raise_on_error:
                        raise
                    results.append(exc)
        return results


class Conn:
    """Counts the statements the catalogue sends through it."""

    def __init__(self):
        self.statements = 0

    def execute(self, statement):
        self.statements += 1

    def commit(self):
        pass


class Engine:
    def connect(self):
        return self

    def __enter__(self):
        return Conn()

    def __exit__(self, *exc):
        return False


class VersionCatalog:
    product_table = "t_products"
    engine = Engine()

    def __init__(self, products=10):
        self.prices = {i: "10.00" for i in range(1, products + 1)}
        self.versions = dict.fromkeys(self.prices, 1)

    def page(self, conn, product_id):
        conn.execute("SELECT page")
        if product_id not in self.prices:
            return None
        return {"id": product_id, "price": self.prices[product_id], "version": self.versions[product_id]}

    def set_price(self, conn, product_id, price):
        conn.execute("UPDATE price")
        self.prices[product_id] = str(price)
        self.versions[product_id] += 1
        return self.versions[product_id]


def expiry_ms(ttl):
    return None if ttl is None else round(ttl * 1000)


def page_functions(catalog):
    """The labs' read and write paths over ``catalog``: (read, write only, write and delete,
    write-through), with the (prefix, ttl) arguments of lab 9's functions."""
    def read(cache, conn, product_id, prefix, ttl):
        key = f"{prefix}product:{product_id}"
        cached = cache.get(key)
        if cached is not None:
            return json.loads(cached)
        page = catalog.page(conn, product_id)
        if page is not None:
            cache.set(key, json.dumps(page), px=expiry_ms(ttl))
        return page

    def write_only(cache, conn, product_id, price, prefix, ttl):
        version = catalog.set_price(conn, product_id, price)
        conn.commit()
        return version

    def write_and_delete(cache, conn, product_id, price, prefix, ttl):
        version = write_only(cache, conn, product_id, price, prefix, ttl)
        cache.delete(f"{prefix}product:{product_id}")
        return version

    def write_through(cache, conn, product_id, price, prefix, ttl):
        version = write_only(cache, conn, product_id, price, prefix, ttl)
        page = catalog.page(conn, product_id)
        cache.set(f"{prefix}product:{product_id}", json.dumps(page), px=expiry_ms(ttl))
        return version

    return read, write_only, write_and_delete, write_through


def lab08_functions(catalog, prefix="lab08:"):
    """Lab 8's shapes: ``get_product(cache, conn, id)``, which answers from the database when the
    cache does not answer, and ``update_price(cache, conn, id, price)`` (delete on write)."""
    def get_product(cache, conn, product_id):
        key = f"{prefix}product:{product_id}"
        try:
            cached = cache.get(key)
        except (redis.ConnectionError, redis.TimeoutError):
            return catalog.page(conn, product_id)
        if cached is not None:
            return json.loads(cached)
        page = catalog.page(conn, product_id)
        if page is not None:
            cache.set(key, json.dumps(page))
        return page

    write_and_delete = page_functions(catalog)[2]
    return get_product, lambda cache, conn, product_id, price: write_and_delete(
        cache, conn, product_id, price, prefix, None)
