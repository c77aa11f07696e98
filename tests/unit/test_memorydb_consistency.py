"""Stale reads: the definition, and a measurement against in-memory nodes."""
import pytest

from labkit.memorydb import consistency


@pytest.mark.parametrize("version, newest, expected", [
    (5, 5, None),          # saw the newest acknowledged version
    (6, 5, None),          # a newer one, acknowledged after the read began
    (3, 5, 10.0 - 4.0),    # missed version 4, acknowledged at t=4
    (0, 2, 10.0 - 1.0),    # saw nothing yet, missed version 1
])
def test_a_read_is_stale_when_it_misses_a_version_acknowledged_before_it_began(version, newest, expected):
    acknowledged = [1.0, 2.0, 3.0, 4.0, 5.0]  # version i+1 acknowledged at acknowledged[i]
    assert consistency.staleness(version, newest, acknowledged, began=10.0) == expected


class Node:
    """One key's versions; a lagging node answers with the previous version every third read."""

    def __init__(self, source=None, lag=False):
        self.value, self.source, self.lag, self.reads = 0, source, lag, 0

    def set(self, key, value):
        self.value = value


def _read(node, key):
    node.reads += 1
    value = node.source.value if node.source else node.value
    return value - 1 if node.lag and node.reads % 3 == 0 and value else value


def test_a_primary_is_never_stale_and_a_lagging_replica_is():
    primary = Node()
    replica = Node(source=primary, lag=True)
    results = consistency.measure(lambda r, key, n: r.set(key, n), _read, primary,
                                  {"primary": primary, "replica": replica}, key="v", seconds=0.2)
    found = {r.node: r for r in results}
    assert found["primary"].stale == 0 and found["primary"].reads > 0
    assert found["replica"].stale > 0 and 0 < found["replica"].stale_fraction < 1
    assert all(age >= 0 for age in found["replica"].ages_s)
    assert {r.write for r in results} == {"<lambda>"}
    table = consistency.table(results).splitlines()
    assert len(table) == 4 and any("| - | - |" in row for row in table)


def test_a_failing_reader_stops_the_measurement_with_its_error():
    def broken(node, key):
        raise ValueError("not a number")

    with pytest.raises(RuntimeError, match="not a number"):
        consistency.measure(lambda r, key, n: r.set(key, n), broken, Node(), {"primary": Node()}, key="v",
                            seconds=0.05)
