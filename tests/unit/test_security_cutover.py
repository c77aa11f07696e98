import time

import pytest

from labkit.security import cutover


class Refused(Exception):
    pass


def test_the_app_follows_a_switch_and_counts_refused_writes():
    refusing = {"old": False}
    accepted_by_old = set()

    def write(conn, i):
        if conn == "old" and refusing["old"]:
            raise Refused("read-only")
        if conn == "old":
            accepted_by_old.add(i)

    app = cutover.App(write=write, connect=lambda target: target, target="old").start()
    time.sleep(0.05)
    refusing["old"] = True
    frozen_at = time.monotonic()
    time.sleep(0.05)
    app.switch("new")
    time.sleep(0.05)
    app.stop()
    assert app.acknowledged("old") and app.acknowledged("new")
    assert app.errors.get("Refused", 0) >= 1
    assert set(app.acknowledged("old")) == accepted_by_old  # nothing the old server refused counts
    assert 0.04 < app.outage(frozen_at) < 5


def test_an_outage_without_a_new_server_says_so():
    app = cutover.App(write=lambda conn, i: None, connect=lambda target: target, target="old")
    app.acks += [cutover.Ack(0, "old", 0.4), cutover.Ack(1, "old", 1.0)]
    with pytest.raises(RuntimeError, match="no write was acknowledged by a new server"):
        app.outage(0.5)


def test_lost_lists_acknowledged_ids_the_server_lacks():
    assert cutover.lost([1, 2, 3, 4], [4, 1, 3, 9]) == [2]
    assert cutover.lost([], [1]) == []
