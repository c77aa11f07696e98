"""The proxy's settings the labs change, and how they are put back."""
import pytest

from labkit.proxy import admin
from labkit.services import pgbouncer


def test_the_baseline_is_what_pgbouncer_ini_sets(tmp_path):
    text = pgbouncer.config_text(tmp_path)
    for key, value in admin.BASELINE.items():
        assert f"\n{key} = {value}\n" in text


def test_a_setting_outside_the_baseline_is_refused_before_anything_changes(monkeypatch):
    monkeypatch.setattr(admin, "connect", lambda: pytest.fail("connected for a setting it refuses"))
    with pytest.raises(ValueError, match="add a setting to admin.BASELINE"):
        with admin.settings(max_client_conn=5):
            pass


def test_a_proxy_that_is_down_has_no_drift_to_report_and_is_not_asked(monkeypatch):
    from labkit import baseline

    monkeypatch.setattr(baseline, "accepts", lambda name: False)
    monkeypatch.setattr(admin, "connect", lambda: pytest.fail("asked a proxy that is down"))
    assert baseline._proxy_drift() == {}


def test_a_setting_a_lab_left_changed_is_reported_as_drift(monkeypatch):
    monkeypatch.setattr(admin, "config", lambda: {**admin.BASELINE, "default_pool_size": "1", "other": "x"})
    assert admin.drift() == {"default_pool_size": "1"}


def test_a_console_that_lets_the_login_in_is_read_without_a_word(monkeypatch, capsys):
    class Session:
        def close(self):
            pass

    monkeypatch.setattr(admin, "connect", Session)
    assert admin.readable()
    assert capsys.readouterr().out == ""


def test_a_proxy_without_a_console_for_the_login_gets_one_sentence(monkeypatch, capsys):
    import psycopg

    from labkit import control

    def refuse():
        raise psycopg.OperationalError('connection failed: FATAL:  database "pgbouncer" does not exist')

    monkeypatch.setattr(control, "said", [])
    monkeypatch.setattr(admin, "connect", refuse)
    monkeypatch.setenv("LABKIT_PG_PROXY", "myproxy.proxy-abc.eu-west-1.rds.amazonaws.com:5432")
    assert not admin.readable()
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith(control.SKIPPED)
    assert "the proxy at myproxy.proxy-abc.eu-west-1.rds.amazonaws.com:5432 has no PgBouncer admin console" in out
    assert '"pgbouncer" does not exist' in out and "CloudWatch" in out
    assert control.skipped("read the proxy's pools")
