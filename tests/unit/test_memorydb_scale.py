"""One shard's throughput and the cluster model: parsing, arithmetic, tables."""
import pytest

from labkit.endpoints import ENDPOINTS
from labkit.memorydb import scale

CSV = '''"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
"SET","41322.31","0.361","0.104","0.343","0.551","0.807","2.231"
"GET","45871.56","0.330","0.096","0.319","0.487","0.647","1.511"
'''


def test_redis_benchmark_csv_gives_requests_per_second_per_test():
    assert scale.parse_csv(CSV) == {"SET": 41322.31, "GET": 45871.56}


def test_the_benchmark_command_names_the_node_and_its_settings(monkeypatch):
    monkeypatch.setattr(scale.binaries, "find", lambda program: f"/usr/bin/{program}")
    argv = scale.benchmark_argv("memorydb-node1", "set,get", 16, 1000, 8)
    host, port = ENDPOINTS["memorydb-node1"].address
    assert argv[0] == "/usr/bin/redis-benchmark" and argv[argv.index("-p") + 1] == str(port)
    assert argv[argv.index("-h") + 1] == host and argv[argv.index("-P") + 1] == "16"
    assert argv[argv.index("-c") + 1] == "8" and "--csv" in argv


def test_the_model_multiplies_writes_by_shards_and_reads_by_nodes():
    rows = scale.model(write_rate=100_000, read_rate=200_000, shards=(1, 250), replicas=1)
    assert [(m.shards, m.nodes) for m in rows] == [(1, 2), (250, 500)]
    assert rows[1].writes_per_second == 25_000_000 and rows[1].reads_per_second == 100_000_000
    table = scale.model_table(rows).splitlines()
    assert table[-1].endswith("| 62.5% |")


@pytest.mark.parametrize("kwargs", [{"write_rate": 0, "read_rate": 1}, {"write_rate": 1, "read_rate": 1, "replicas": -1},
                                    {"write_rate": 1, "read_rate": 1, "shards": (0,)}])
def test_the_model_refuses_what_is_not_a_cluster(kwargs):
    with pytest.raises(ValueError):
        scale.model(**kwargs)


def test_the_rate_table_lists_every_rate():
    rates = [scale.Rate("redis-benchmark (C)", "GET", 16, 16, 123456.7)]
    assert scale.rate_table(rates).splitlines()[-1] == "| redis-benchmark (C) | GET | 16 | 16 | 123,457 |"
