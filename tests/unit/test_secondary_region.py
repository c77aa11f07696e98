"""The secondary "Region": its standby settings, and the application that counts acknowledged writes."""
from pathlib import Path

import pytest
import sqlalchemy as sa

from labkit.aurora import secondary_region
from labkit.aurora.acknowledged import AcknowledgedWrites


def settings(conf: str) -> dict[str, str]:
    pairs = (line.split(" = ", 1) for line in conf.splitlines() if " = " in line)
    return {name: value.strip("'") for name, value in pairs}


def test_the_secondary_streams_through_the_relay_on_a_port_of_its_own():
    conf = settings(secondary_region.standby_conf(Path("/s/secondary"), 14120, ("127.0.0.1", 14121), "pw"))
    assert conf["port"] == "14120"
    assert "host=127.0.0.1 port=14121 user=replicator" in conf["primary_conninfo"]
    assert conf["unix_socket_directories"] == "/s/secondary"
    assert conf["archive_mode"] == "off"
    assert conf["primary_slot_name"] == ""  # none of the cluster's replication slots


def test_only_writes_that_returned_count_as_acknowledged():
    engine = sa.create_engine("sqlite://")
    calls = []

    def write(conn, n):
        calls.append(n)
        if n == 5:
            raise RuntimeError("connection lost")

    with pytest.raises(RuntimeError, match="a writer failed"):
        with AcknowledgedWrites(engine, write) as app:
            while len(calls) < 5:
                pass
    assert app.acknowledged == [1, 2, 3, 4]
