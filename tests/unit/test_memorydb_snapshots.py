"""Snapshots: filling a node in steps, telling when the child is done, the table."""
from labkit.memorydb import snapshots


class Node:
    def __init__(self, persistence=None):
        self.commands, self.persistence = [], persistence or {}

    def execute_command(self, *args):
        self.commands.append(args)

    def info(self, section):
        assert section == "persistence"
        return {"rdb_bgsave_in_progress": 0, "aof_rewrite_in_progress": 0, "aof_rewrite_scheduled": 0,
                **self.persistence}


def test_fill_grows_the_node_a_step_at_a_time_up_to_the_count():
    node = Node()
    snapshots.fill(node, 250, step=100)
    assert [c[2] for c in node.commands] == [100, 200, 250]
    assert all(c[:2] == ("DEBUG", "POPULATE") and c[3] == "probe0" for c in node.commands)
    node = Node()
    snapshots.fill(node, 50, step=100)
    assert [c[2] for c in node.commands] == [50]


def test_busy_while_a_snapshot_or_a_rewrite_runs_or_waits():
    assert not snapshots.busy(Node())
    assert snapshots.busy(Node({"rdb_bgsave_in_progress": 1}))
    assert snapshots.busy(Node({"aof_rewrite_scheduled": 1}))


def test_the_table_shows_fork_and_read_latency_before_and_during():
    spike = snapshots.Spike("snapshot", 100_000, 19.4, 1200, 1.5, 0.3, [0.0002] * 100, [0.0003] * 99 + [0.02])
    row = snapshots.table([spike]).splitlines()[-1]
    assert row.startswith("| snapshot | 100,000 | 19 | 1.20 | 1.5 | 0.30 |") and row.endswith("| 0.20 | 20.00 |")
    assert spike.summary("during").max == 20.0
