import pytest

from labkit.aurora.manual_failover import bytes_behind, most_advanced

POSITIONS = [{"node": "pg-node2", "received_bytes": 1000, "replayed_bytes": 1000},
             {"node": "pg-node3", "received_bytes": 1500, "replayed_bytes": 900}]


def test_the_replica_that_received_most_wal_wins_even_if_it_replayed_less():
    assert most_advanced(POSITIONS) == "pg-node3"


def test_bytes_behind_the_most_advanced_replica():
    assert bytes_behind(POSITIONS) == {"pg-node2": 500, "pg-node3": 0}


def test_no_positions_is_a_clear_error():
    with pytest.raises(ValueError, match="no replica"):
        most_advanced([])
