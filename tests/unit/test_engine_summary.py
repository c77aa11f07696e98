from collections import Counter

from labkit.cache.engines import engine_summary
from labkit.cache.engines.data_structures import BoardRun
from labkit.cache.engines.engine_throughput import Rate
from labkit.cache.engines.failover_survival import Survival
from labkit.cache.engines.memcached_sharding import NodeLoss
from labkit.cache.engines.redis_persistence import BackupRestore, CrashTrial

EXPECTED = [("a", 9), ("b", 3)]


def rows(mc_board=EXPECTED):
    boards = [BoardRun("Redis sorted set", 8, 100, EXPECTED, 100, 0, 0.1),
              BoardRun("Memcached get + cas", 8, 100, mc_board, 260, 30, 0.5)]
    loss = NodeLoss("memcached2", 100, {"memcached1": 48, "memcached2": 52},
                    {"both nodes up": 1.0, "memcached2 stopped": 0.48, "refilled": 1.0},
                    {"memcached1": Counter({"memcached1": 48}), "memcached2": Counter({"memcached1": 52})})
    survival = Survival(100, 1, "redis-node1", "redis-node2", 2.25, 100)
    crashes = [CrashTrial("no persistence", False, None, 50, 0, 0.2),
               CrashTrial("AOF, fsync always", True, "always", 50, 50, 0.2)]
    backup = BackupRestore(50, 5, 50, 0)
    rates = [Rate("Redis", 1, 2000, 1.0), Rate("Redis", 4, 3000, 1.0),
             Rate("Memcached", 1, 3000, 1.0), Rate("Memcached", 4, 9000, 1.0)]
    return engine_summary.claims(boards, EXPECTED, loss, survival, crashes, backup, rates)


def test_every_line_of_the_notes_gets_a_measured_cell():
    found = {claim: measured for _engine, claim, measured in rows()}
    assert len(found) == 10
    assert "redis-node2 primary in 2.2 s" in found["Multi AZ with Auto-Failover"]
    assert "100 keys: 48 on memcached1 / 52 on memcached2" in found["Multi-node for partitioning of data (Sharding)"]
    assert "48% of reads hit" in found["No high availability (replication)"]
    assert "0 of the other nodes' keys moved" in found["No high availability (replication)"]
    assert "50 of 50 keys back with AOF, fsync always; 0 of 50 with no persistence" in \
        found["Data Durability using AOF persistence"]
    assert "x3.0" in found["Multi-threaded architecture"] and "x1.5" in found["Multi-threaded architecture"]


def test_a_wrong_board_shows_in_the_table():
    table = engine_summary.claims_table(rows(mc_board=[("b", 3), ("a", 9)]))
    assert table.count("WRONG") == 1 and table.startswith("| engine | the notes say |")


def test_a_step_skipped_against_servers_labkit_did_not_start_is_said_not_measured():
    boards = [BoardRun("Redis sorted set", 8, 100, EXPECTED, 100, 0, 0.1),
              BoardRun("Memcached get + cas", 8, 100, EXPECTED, 260, 30, 0.5)]
    rates = [Rate("Redis", 1, 2000, 1.0), Rate("Memcached", 1, 3000, 1.0)]
    found = {claim: measured for _engine, claim, measured in
             engine_summary.claims(boards, EXPECTED, None, None, None, None, rates)}
    assert len(found) == 10
    skipped = [claim for claim, measured in found.items() if measured == engine_summary.NOT_MEASURED]
    assert len(skipped) == 7 and "Supports Sets and Sorted Sets" not in skipped
