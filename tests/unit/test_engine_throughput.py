import pytest

from labkit.cache.engines import engine_throughput as et


class DictClient:
    data: dict = {}

    def get(self, key):
        return self.data.get(key)

    def set(self, key, value):
        self.data[key] = value


def test_measure_counts_operations_of_every_thread(monkeypatch):
    monkeypatch.setitem(et.ENGINES, "Redis", DictClient)
    rate = et.measure("Redis", 3, "t:", lambda client, key: client.set(key, client.get(key)), seconds=0.05)
    assert rate.threads == 3 and rate.ops > 0 and rate.ops % 2 == 0
    assert rate.per_second == rate.ops / rate.seconds
    assert all(k.startswith("t:bench:") for k in DictClient.data)


@pytest.mark.parametrize("engine, threads, seconds", [("Valkey", 1, 1), ("Redis", 0, 1), ("Redis", 1, 0)])
def test_measure_refuses_bad_input(engine, threads, seconds):
    with pytest.raises(ValueError, match="need an engine"):
        et.measure(engine, threads, "t:", lambda client, key: None, seconds)


def test_rate_table_has_a_row_per_thread_count():
    rates = [et.Rate("Redis", 1, 1000, 1.0), et.Rate("Memcached", 1, 3000, 1.0),
             et.Rate("Redis", 2, 1500, 1.0), et.Rate("Memcached", 2, 5000, 1.0)]
    table = et.rate_table(rates)
    assert "| client threads | Redis ops/s | Memcached ops/s |" in table
    assert "| 2 | 1,500 | 5,000 |" in table


def test_cores_is_positive():
    assert et.cores() >= 1


def test_a_redis_that_refuses_config_get_is_said_so_as_elasticache_does(monkeypatch):
    import redis

    class Refusing:
        def config_get(self, name):
            raise redis.ResponseError("unknown command 'CONFIG'")

    class Memcached:
        def stats(self):
            return {b"threads": b"4"}

    monkeypatch.setattr(et, "_redis", Refusing)
    monkeypatch.setattr(et.clients, "memcached_node", lambda name: Memcached())
    threads = et.server_threads()
    assert threads["Memcached"] == "4 worker threads"
    assert threads["Redis"].startswith("io-threads unknown: CONFIG GET refused (unknown command")
