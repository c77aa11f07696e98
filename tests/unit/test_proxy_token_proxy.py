"""The token proxy: PgBouncer that hands every client's password (its token) to PAM, requires
TLS, serves only the proxy's secret alias, and leaves no PAM service of another's behind."""
from labkit.proxy import secret, token_proxy
from labkit.security import pam, privileged


def test_the_proxy_checks_tokens_through_pam_inside_tls_and_serves_the_secret_alias(state_home, monkeypatch):
    monkeypatch.setenv("LABKIT_PORT_OFFSET", "300")
    text = token_proxy.config_text()
    assert "auth_type = pam" in text and "client_tls_sslmode = require" in text
    assert f"%include {secret.secret_file()}" in text and "auth_user" not in text
    assert "listen_addr = 127.0.0.1" in text and "listen_port = 14384" in text


def test_a_pam_service_of_another_check_is_left_alone(state_home, monkeypatch, tmp_path):
    monkeypatch.setattr(pam, "PAM_DIR", tmp_path)
    other = tmp_path / token_proxy.PAM_SERVICE
    other.write_text("auth required pam_unix.so\n")
    pam.remove(service=token_proxy.PAM_SERVICE)
    assert other.exists()
    other.write_text(pam.service_text())
    pam.remove(service=token_proxy.PAM_SERVICE)
    assert not other.exists()


def test_without_root_the_service_stays_and_the_command_to_remove_it_is_printed(state_home, monkeypatch, tmp_path,
                                                                                capsys):
    monkeypatch.setattr(pam, "PAM_DIR", tmp_path)
    monkeypatch.setattr(privileged.os, "geteuid", lambda: 1000)
    service = tmp_path / token_proxy.PAM_SERVICE
    service.write_text(pam.service_text())
    pam.remove(service=token_proxy.PAM_SERVICE)
    assert service.exists() and f"sudo rm {service}" in capsys.readouterr().out
