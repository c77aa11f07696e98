from pathlib import Path

from labkit.aurora import pitr


def settings(text: str) -> dict[str, str]:
    pairs = (line.split(" = ", 1) for line in text.splitlines() if " = " in line)
    return {name: value for name, value in pairs}


def test_the_restored_copy_gets_its_own_port_socket_and_hba_and_never_archives():
    conf = settings(pitr.auto_conf_block("own", pitr.own_server_settings(Path("/s/restored"), 15450, "restored")))
    assert conf["port"] == "'15450'"
    assert conf["unix_socket_directories"] == "'/s/restored'"
    assert conf["hba_file"] == "'/s/restored/pg_hba.conf'"
    assert conf["archive_mode"] == "'off'"


def test_quotes_in_paths_are_doubled_for_postgresql():
    conf = settings(pitr.auto_conf_block("own", pitr.own_server_settings(Path("/it's"), 1, "restored")))
    assert conf["unix_socket_directories"] == "'/it''s'"


def test_archiving_empties_the_archive_and_sets_the_labs_command_for_it(state_home, monkeypatch):
    set_to = []
    monkeypatch.setattr(pitr, "set_archive_command", set_to.append)
    left_over = pitr.wal_archive_dir() / "000000010000000000000001"
    left_over.write_text("a segment of an earlier run")
    archive = pitr.start_archiving(lambda folder: f"cp %p {folder}/%f")
    assert set_to == [f"cp %p {archive}/%f"] and not any(archive.iterdir())


def test_the_restore_makes_the_copy_a_server_of_its_own_then_lets_the_lab_ask_for_recovery(
        state_home, monkeypatch):
    backup = state_home / "backup"
    backup.mkdir()
    (backup / "postgresql.auto.conf").write_text("# from the backup\n")
    (backup / "standby.signal").write_text("")
    ran = []

    def run_as_daemon(argv, what, env=None):
        ran.append(argv)
        if argv[0] == "cp":  # copying the base backup
            for entry in backup.iterdir():
                (Path(argv[-1]) / entry.name).write_text(entry.read_text())

    monkeypatch.setattr(pitr, "run_as_daemon", run_as_daemon)
    monkeypatch.setattr(pitr.ports, "ensure_free", lambda endpoint: None)
    monkeypatch.setattr(pitr, "_wait_promoted", lambda *args: None)

    def recover(data_dir):
        assert "archive_mode = 'off'" in (data_dir / "postgresql.auto.conf").read_text()
        assert not ran[-1][0].endswith("pg_ctl"), "the server started before the lab asked for recovery"
        (data_dir / "recovery.signal").touch()

    data = pitr.restore(backup, recover)
    assert data == pitr.restored_data_dir() and (data / "recovery.signal").exists()
    assert not (data / "standby.signal").exists()
    assert ran[-1][0].endswith("pg_ctl") and ran[-1][1] == "start"
