import pytest

from labkit.security import scratch_mariadb as scratch


def test_only_the_scratch_servers_are_served():
    assert scratch.server("mariadb-encrypted").name == "mariadb-encrypted"
    with pytest.raises(KeyError, match="mariadb-plain"):
        scratch.server("mysql-writer")


def test_each_server_has_its_own_id_and_gtid_domain():
    ids = {scratch.server(name).server_id for name in scratch.SERVERS}
    assert len(ids) == len(scratch.SERVERS)
    config = scratch.server("mariadb-audited", settings="plugin_load_add = server_audit")._config()
    assert f"gtid-domain-id = {scratch.server('mariadb-audited').server_id}" in config
    assert config.rstrip().endswith("plugin_load_add = server_audit")


def test_a_key_file_that_is_not_id_and_hex_is_refused():
    with pytest.raises(ValueError, match="ID;HEX"):
        scratch._write_key("mariadb-encrypted", "my secret key")


def test_settings_naming_a_missing_key_file_say_how_to_pass_it(tmp_path):
    settings = f"file_key_management_filename = {tmp_path / 'keys.txt'}"
    with pytest.raises(scratch.ScratchServerFailed, match=r"start\(\.\.\., key=\.\.\.\)"):
        scratch._check_key_file("mariadb-encrypted", settings)
    (tmp_path / "keys.txt").write_text("1;" + "ab" * 32)
    scratch._check_key_file("mariadb-encrypted", settings)


def test_a_plugin_that_is_not_installed_names_its_package(tmp_path, monkeypatch):
    monkeypatch.setattr(scratch, "PLUGIN_DIR", tmp_path)
    (tmp_path / "server_audit.so").write_bytes(b"")
    scratch._check_plugins("plugin_load_add = server_audit")
    with pytest.raises(scratch.ScratchServerFailed, match="file_key_management.*install mariadb-server"):
        scratch._check_plugins("plugin_load_add = file_key_management")
