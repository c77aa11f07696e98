"""The steps that change the machine (PAM service, firewall rule) and the lab's own server settings."""
import json

import pytest

from labkit.security import certs, firewall, pam, privileged, scratch, secure_mysql, secure_redis


def test_without_root_the_step_prints_its_command_and_is_skipped(monkeypatch, capsys):
    monkeypatch.setattr(privileged.os, "geteuid", lambda: 1000)
    assert firewall.apply(14300, "drop") is False
    out = capsys.readouterr().out
    assert out.startswith("Skipped:") and "sudo nft -f -" in out and "tcp dport 14300 drop" in out


def test_a_rule_replaces_the_cloud_s_table_atomically(monkeypatch):
    monkeypatch.setenv("LABKIT_PORT_OFFSET", "300")
    rules = firewall.ruleset(14300, "reject")
    assert rules.index("delete table inet labkit_sg_300") < rules.index("tcp dport 14300 reject with tcp reset")
    with pytest.raises(ValueError, match="verdict must be one of drop, reject"):
        firewall.ruleset(14300, "accept")


def test_the_pam_service_runs_the_check_with_the_token_on_stdin(state_home, monkeypatch):
    monkeypatch.setenv("LABKIT_PORT_OFFSET", "300")
    assert pam.service_name() == "labkit-iam-300"
    text = pam.service_text()
    assert "pam_exec.so expose_authtok" in text and str(pam.settings_file()) in text and "iam_token.py" in text


def test_moving_the_check_s_clock_keeps_its_policy(state_home):
    pam.write_settings("127.0.0.1:14300", {"AKIA1": {"secret": "x", "users": ["app_iam"]}})
    pam.move_clock(960)
    settings = json.loads(pam.settings_file().read_text())
    assert settings["clock_offset_s"] == 960 and settings["keys"]["AKIA1"]["users"] == ["app_iam"]


def test_the_lab_server_listens_on_its_own_endpoint_with_the_given_certificate(state_home, monkeypatch):
    monkeypatch.setenv("LABKIT_PORT_OFFSET", "300")
    issued = certs.Authority("unit_ca").issue("unit_server")
    text = scratch.settings(issued)
    assert "port = '14300'" in text and f"ssl_cert_file = '{issued.cert}'" in text and "ssl = 'on'" in text


def test_the_lab_redis_offers_tls_only_and_one_bootstrap_login(state_home, monkeypatch):
    monkeypatch.setenv("LABKIT_PORT_OFFSET", "300")
    ca = certs.Authority("unit_redis_ca")
    text = secure_redis.config(ca.issue("unit_redis"), ca.pem, "boot")
    assert "port 0\n" in text and "tls-port 14302\n" in text
    assert [line for line in text.splitlines() if line.startswith("user ")] == ["user default on >boot ~* &* +@all"]


def test_the_lab_mariadb_requires_tls_with_the_certificate_in_its_folder(state_home, monkeypatch):
    monkeypatch.setenv("LABKIT_PORT_OFFSET", "300")
    ca = certs.Authority("unit_mysql_ca")
    server = secure_mysql.SecureMariaDB(secure_mysql.NAME, binds=(secure_mysql.NAME,), ca=ca.pem)
    server.present(ca.issue("unit_mysql"), reload=False)
    text = server._config()
    assert "require-secure-transport = ON" in text and f"ssl-ca = {ca.pem}" in text and "port = 14303" in text
    assert server.cert_files.cert.read_bytes() == (certs.folder() / "unit_mysql.pem").read_bytes()
    assert "--skip-log-bin" in server.argv()


def test_without_root_the_pam_step_prints_a_complete_command(state_home, monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(privileged.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(pam, "PAM_DIR", tmp_path)
    assert pam.install("127.0.0.1:14300", {"AKIA1": {"secret": "x", "users": ["app_iam"]}}) is False
    out = capsys.readouterr().out
    assert out.startswith("Skipped:") and f"sudo tee {tmp_path / pam.service_name()}" in out
    assert pam.service_text() in out and (pam.folder() / "iam_token.py").exists() and pam.settings_file().exists()
    (tmp_path / pam.service_name()).write_text(pam.service_text())  # what the printed command does
    assert pam.install("127.0.0.1:14300", {"AKIA1": {"secret": "x", "users": ["app_iam"]}}) is True
