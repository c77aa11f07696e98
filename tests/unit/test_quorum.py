import numpy as np
import pytest
from quorum_rules import at_least, aurora_group, layout

from labkit.aurora import quorum


def test_the_group_takes_the_pages_layout_and_finds_the_smallest_quorums():
    group = aurora_group()
    assert group.size == 6 and group.azs == ("a", "b", "c")
    assert sorted(c.az for c in group.copies.values()) == ["a", "a", "b", "b", "c", "c"]
    assert (group.write_quorum, group.read_quorum) == (4, 3)
    assert quorum.smallest_quorum(lambda up: False, 6) == 7


def test_a_write_needs_four_copies_and_a_read_three():
    group = aurora_group()
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
    group = aurora_group()
    group.fail_az("c")
    written = group.write("during the outage")
    assert written.ok and written.version == 1 and "whole AZ" in written.why
    group.fail("a1")
    assert "AZ+1" in group.capacity() and group.can_read() and not group.can_write()
    assert group.read().value == "during the outage"


def test_the_notes_layout_of_two_azs_stops_writing_when_one_az_fails():
    group = quorum.ProtectionGroup(layout("ab", 3), at_least(4), at_least(3))
    group.fail_az("a")
    assert not group.write("x").ok and group.can_read()


def test_every_read_quorum_returns_the_last_acknowledged_write():
    group = aurora_group()
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
            assert read.version == group.acknowledged and not read.stale, (step, read)


def test_a_read_quorum_too_small_for_the_write_quorum_returns_a_stale_version():
    group = aurora_group(read_quorum=2)
    group.write("old")
    group.fail_az("c")
    group.write("new")
    group.restore_az("c", repair=False)
    for az in ("a", "b"):
        group.fail_az(az)
    read = group.read()
    assert read.ok and read.stale and read.value == "old" and str(read).startswith("read STALE")
    assert "2 + 4 <= 6" in read.why


def test_a_returning_copy_catches_up_from_its_peers():
    group = aurora_group()
    group.fail("c1")
    group.write("x")
    group.write("y")
    back = group.restore("c1")
    assert "c1 v0->v2" in back.summary and group.copies["c1"].value == "y"


def test_a_read_repairs_a_stale_copy_it_meets():
    group = aurora_group()
    group.fail_az("c")
    group.write("x")
    group.restore_az("c", repair=False)
    assert group.copies["c1"].version == 0
    read = group.read()
    assert "read repair" in read.summary and {c.version for c in group.copies.values()} == {1}


def test_bad_names_get_a_clear_message():
    group = aurora_group()
    with pytest.raises(ValueError, match="the copies are a1"):
        group.fail("d1")
    with pytest.raises(ValueError, match="the AZs are a, b, c"):
        group.fail_az("d")


PS = np.array([0.01, 0.05, 0.1, 0.2, 0.4])
SCHEMES = (
    quorum.Scheme("reads", layout(), at_least(3)),
    quorum.Scheme("writes", layout(), at_least(4)),
    quorum.Scheme("majority", layout(copies_per_az=1), at_least(2)),
    quorum.Scheme("single copy", layout("a", 1), at_least(1)),
)


def test_exact_availability_is_the_binomial_sum_over_the_counts_the_rule_accepts():
    assert np.allclose(quorum.exact_availability(PS, 1, at_least(1)), 1 - PS)
    assert np.allclose(quorum.exact_availability(PS, 3, at_least(2)), (1 - PS) ** 3 + 3 * (1 - PS) ** 2 * PS)
    assert np.array_equal(quorum.exact_availability(PS, 3, lambda up: False), np.zeros(5))


def test_monte_carlo_matches_the_binomial_and_single_copy_is_one_minus_p():
    results = quorum.simulate_availability(PS, SCHEMES, trials=50_000, seed=1)
    assert [r.scheme for r in results] == list(SCHEMES)
    assert np.allclose(results[-1].simulated, 1 - PS, atol=0.01)
    for result in results:
        exact = quorum.exact_availability(PS, result.scheme.copies, result.scheme.rule)
        assert np.allclose(result.simulated, exact, atol=0.01), result.scheme.label


def test_monte_carlo_orders_and_monotonicity():
    reads, writes, _, single = quorum.simulate_availability(PS, SCHEMES, trials=20_000, seed=2)
    assert np.all(writes.simulated <= reads.simulated) and writes.simulated[-1] < reads.simulated[-1]
    assert np.all(np.diff(writes.simulated) <= 0) and np.all(np.diff(reads.simulated) <= 0)
    assert writes.simulated[0] > single.simulated[0]
    assert np.array_equal(writes.unavailable, 1 - writes.simulated)


def test_monte_carlo_is_deterministic_with_a_seed():
    first = quorum.simulate_availability(PS, SCHEMES, trials=5_000, seed=3)
    again = quorum.simulate_availability(PS, SCHEMES, trials=5_000, seed=3)
    other = quorum.simulate_availability(PS, SCHEMES, trials=5_000, seed=4)
    assert all(np.array_equal(a.simulated, b.simulated) for a, b in zip(first, again))
    assert any(not np.array_equal(a.simulated, b.simulated) for a, b in zip(first, other))


def test_az_outages_hurt_two_azs_more_than_three():
    three = quorum.Scheme("3 AZs", layout(), at_least(4))
    two = quorum.Scheme("2 AZs", layout("ab", 3), at_least(4))
    three_azs, two_azs = quorum.simulate_availability([0.0], [three, two], trials=20_000, seed=5,
                                                      az_probability=0.05)
    assert three_azs.simulated[0] > 0.99 and two_azs.simulated[0] < 0.92


def test_bad_probabilities_are_refused():
    with pytest.raises(ValueError):
        quorum.simulate_availability([1.5], SCHEMES)


def test_repair_window_risk_shrinks_with_faster_repair():
    assert quorum.transfer_seconds(quorum.SEGMENT_GB, quorum.PAPER_LINK_GBPS) == 8
    seconds = np.array([10, 100, 1000, 10000])
    writes = quorum.quorum_loss_during_repair(seconds, 10_000, at_least(4))
    reads = quorum.quorum_loss_during_repair(seconds, 10_000, at_least(3))
    assert np.all(np.diff(writes) > 0) and np.all(reads < writes)
    # two more failures are needed to lose the write quorum: ten times the window, ~100 times the risk
    assert 80 < writes[1] / writes[0] < 120
    with pytest.raises(ValueError):
        quorum.quorum_loss_during_repair(10, 0, at_least(4))
