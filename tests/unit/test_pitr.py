from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from labkit.aurora import pitr

TARGET = datetime(2026, 11, 27, 9, 15, 2, 123456, tzinfo=timezone.utc)


def settings(text: str) -> dict[str, str]:
    pairs = (line.split(" = ", 1) for line in text.splitlines() if " = " in line)
    return {name: value for name, value in pairs}


def test_the_restored_copy_recovers_from_the_archive_to_the_target_and_promotes():
    conf = settings(pitr.recovery_conf(Path("/s/restored"), Path("/s/wal-archive"), TARGET, 15450))
    assert conf["restore_command"] == "'cp /s/wal-archive/%f %p'"
    assert conf["recovery_target_time"] == "'2026-11-27 09:15:02.123456+00:00'"
    assert conf["recovery_target_inclusive"] == "'on'"
    assert conf["recovery_target_action"] == "'promote'"


def test_the_restored_copy_gets_its_own_port_socket_and_hba_and_never_archives():
    conf = settings(pitr.recovery_conf(Path("/s/restored"), Path("/s/wal-archive"), TARGET, 15450))
    assert conf["port"] == "'15450'"
    assert conf["unix_socket_directories"] == "'/s/restored'"
    assert conf["hba_file"] == "'/s/restored/pg_hba.conf'"
    assert conf["archive_mode"] == "'off'"


def test_a_time_zone_other_than_utc_is_kept_in_the_target():
    paris = TARGET.astimezone(timezone(timedelta(hours=1)))
    conf = settings(pitr.recovery_conf(Path("/d"), Path("/a"), paris, 1))
    assert conf["recovery_target_time"] == "'2026-11-27 10:15:02.123456+01:00'"


def test_a_naive_target_time_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        pitr.recovery_conf(Path("/d"), Path("/a"), TARGET.replace(tzinfo=None), 1)


def test_quotes_in_paths_are_doubled_for_postgresql():
    conf = settings(pitr.recovery_conf(Path("/it's"), Path("/a"), TARGET, 1))
    assert conf["unix_socket_directories"] == "'/it''s'"


def test_the_archive_command_never_overwrites_an_archived_segment():
    assert pitr.archive_command(Path("/s/wal-archive")) == \
        "test ! -f /s/wal-archive/%f && cp %p /s/wal-archive/%f"


def test_an_archive_path_with_a_space_is_quoted_for_the_shell():
    assert pitr.archive_command(Path("/my labs/wal")) == \
        "test ! -f '/my labs/wal'/%f && cp %p '/my labs/wal'/%f"
