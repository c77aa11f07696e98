import numpy as np
import pytest

from labkit.aurora import quorum


def test_aurora_layout_is_six_copies_two_per_az_in_three_azs():
    group = quorum.ProtectionGroup()
    assert group.size == 6
    assert sorted(c.az for c in group.copies.values()) == ["a", "a", "b", "b", "c", "c"]


@pytest.mark.parametrize("write_quorum, read_quorum", [(3, 4), (4, 2), (7, 3), (4, 0)])
def test_quorums_that_could_lose_or_miss_a_write_are_rejected(write_quorum, read_quorum):
    with pytest.raises(ValueError):
        quorum.ProtectionGroup(write_quorum=write_quorum, read_quorum=read_quorum)


def test_a_write_needs_four_copies_and_a_read_three():
    group = quorum.ProtectionGroup()
    for name in ("a1", "b1"):
        group.fail(name)
    assert group.write("x").ok and group.acknowledged == 1
    group.fail("c1")
    refused = group.write("y")
    assert not refused.ok and "needs 4" in refused.summary and "3 + 3 <= 6" in refused.why
    assert group.acknowledged == 1 and all(c.version <= 1 for c in group.copies.values())
    assert group.read().value == "x"
    group.fail("c2")
    refused = group.read()
    assert not refused.ok and "needs 3" in refused.summary


def test_writes_survive_losing_a_whole_az_and_reads_survive_az_plus_one():
    group = quorum.ProtectionGroup()
    group.fail_az("c")
    written = group.write("during the outage")
    assert written.ok and written.version == 1 and "whole AZ" in written.why
    group.fail("a1")
    assert "AZ+1" in group.capacity() and group.can_read() and not group.can_write()
    assert group.read().value == "during the outage"


def test_the_notes_layout_of_two_azs_stops_writing_when_one_az_fails():
    group = quorum.ProtectionGroup(azs=("a", "b"), copies_per_az=3)
    group.fail_az("a")
    assert not group.write("x").ok and group.can_read()


def test_every_read_quorum_returns_the_last_acknowledged_write():
    group = quorum.ProtectionGroup()
    rng = np.random.default_rng(7)
    names = list(group.copies)
    for step in range(300):
        for name in names:
            if rng.random() < 0.3:
                group.fail(name)
            else:
                group.restore(name, repair=rng.random() < 0.5)
        group.write(step)
        read = group.read()
        if read.ok:
            assert read.version == group.acknowledged, (step, read)


def test_a_returning_copy_catches_up_from_its_peers():
    group = quorum.ProtectionGroup()
    group.fail("c1")
    group.write("x")
    group.write("y")
    back = group.restore("c1")
    assert "c1 v0->v2" in back.summary and group.copies["c1"].value == "y"


def test_a_read_repairs_a_stale_copy_it_meets():
    group = quorum.ProtectionGroup()
    group.fail_az("c")
    group.write("x")
    group.restore_az("c", repair=False)
    assert group.copies["c1"].version == 0
    read = group.read()
    assert "read repair" in read.summary and {c.version for c in group.copies.values()} == {1}


def test_bad_names_get_a_clear_message():
    group = quorum.ProtectionGroup()
    with pytest.raises(ValueError, match="the copies are a1"):
        group.fail("d1")
    with pytest.raises(ValueError, match="the AZs are a, b, c"):
        group.fail_az("d")


PS = np.array([0.01, 0.05, 0.1, 0.2, 0.4])


def test_monte_carlo_matches_the_binomial_and_single_copy_is_one_minus_p():
    sim = quorum.simulate_availability(PS, trials=50_000, seed=1)
    assert np.allclose(sim["single copy"], 1 - PS, atol=0.01)
    for scheme in quorum.SCHEMES:
        exact = quorum.exact_availability(PS, scheme.copies, scheme.quorum)
        assert np.allclose(sim[scheme.label], exact, atol=0.01), scheme


def test_monte_carlo_orders_and_monotonicity():
    sim = quorum.simulate_availability(PS, trials=20_000, seed=2)
    reads, writes = sim["Aurora reads: 3 of 6"], sim["Aurora writes: 4 of 6"]
    assert np.all(writes <= reads) and writes[-1] < reads[-1]
    for curve in sim.values():
        assert np.all(np.diff(curve) <= 0)
    assert writes[0] > sim["single copy"][0]


def test_monte_carlo_is_deterministic_with_a_seed():
    first = quorum.simulate_availability(PS, trials=5_000, seed=3)
    again = quorum.simulate_availability(PS, trials=5_000, seed=3)
    other = quorum.simulate_availability(PS, trials=5_000, seed=4)
    assert all(np.array_equal(first[k], again[k]) for k in first)
    assert any(not np.array_equal(first[k], other[k]) for k in first)


def test_az_outages_hurt_two_azs_more_than_three():
    three = quorum.Scheme("3 AZs", 6, 4, azs=3)
    two = quorum.Scheme("2 AZs", 6, 4, azs=2)
    sim = quorum.simulate_availability([0.0], [three, two], trials=20_000, seed=5, az_probability=0.05)
    assert sim["3 AZs"][0] > 0.99 and sim["2 AZs"][0] < 0.92


def test_repair_window_risk_shrinks_with_faster_repair():
    assert quorum.transfer_seconds(quorum.SEGMENT_GB, quorum.PAPER_LINK_GBPS) == 8
    seconds = np.array([10, 100, 1000, 10000])
    writes = quorum.quorum_loss_during_repair(seconds, mttf_hours=10_000, quorum=4)
    reads = quorum.quorum_loss_during_repair(seconds, mttf_hours=10_000, quorum=3)
    assert np.all(np.diff(writes) > 0) and np.all(reads < writes)
    # two more failures are needed to lose the write quorum: ten times the window, ~100 times the risk
    assert 80 < writes[1] / writes[0] < 120
    with pytest.raises(ValueError):
        quorum.quorum_loss_during_repair(10, mttf_hours=0, quorum=4)
