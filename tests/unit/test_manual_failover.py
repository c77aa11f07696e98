from labkit.aurora.manual_failover import Position, bytes_behind, positions_table

POSITIONS = [Position("pg-node2", "0/3E8", "0/3E8", 1000, 1000),
             Position("pg-node3", "0/5DC", "0/384", 1500, 900)]


def test_bytes_behind_the_replica_that_received_most_even_if_it_replayed_less():
    assert bytes_behind(POSITIONS) == {"pg-node2": 500, "pg-node3": 0}


def test_positions_table_has_a_row_per_replica():
    lines = positions_table(POSITIONS).splitlines()
    assert lines[2] == "| pg-node2 | 0/3E8 | 0/3E8 | 500 |"
    assert len(lines) == 2 + len(POSITIONS)
