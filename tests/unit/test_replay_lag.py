import pytest

from labkit.aurora import replay_lag


def sample_timeline() -> replay_lag.Timeline:
    t = replay_lag.Timeline(interval=0.1, ticks=[0.0, 1.0, 2.0])
    t.rows = [(0.0, "pg-node2", 0, 0.0), (0.0, "pg-node3", 0, 0.001),
              (1.0, "pg-node2", 4096, 0.02), (1.0, "pg-node3", 2048, 0.03),
              (2.0, "pg-node2", 0, 0.005), (2.0, "pg-node3", 0, 0.0)]
    t.phases = [("idle", 0.0, 0.5), ("write load", 0.5, 1.5), ("idle again", 1.5, 2.0)]
    return t


def test_series_and_counts_per_replica():
    t = sample_timeline()
    assert t.replicas() == ["pg-node2", "pg-node3"]
    assert t.series("pg-node2") == ([0.0, 1.0, 2.0], [0, 4096, 0], [0.0, 20.0, 5.0])
    assert t.readings_per_replica() == {"pg-node2": 3, "pg-node3": 3}


def test_peak_looks_only_inside_the_phase():
    t = sample_timeline()
    assert t.peak("write load") == {"pg-node2": (4096, 20.0), "pg-node3": (2048, 30.0)}
    assert t.peak("idle") == {"pg-node2": (0, 0.0), "pg-node3": (0, 1.0)}


def test_peak_names_the_known_phases():
    with pytest.raises(KeyError, match="write load"):
        sample_timeline().peak("busy")


def test_record_needs_a_load_phase():
    with pytest.raises(ValueError, match="write load"):
        replay_lag.record(None, "lab05", [("idle", 1)], read_lag=None)
