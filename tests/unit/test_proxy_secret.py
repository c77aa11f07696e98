"""The proxy's own login lives in a file of its own, empty in the baseline."""
import stat

import pytest

from labkit.proxy import secret
from labkit.services import pgbouncer


def test_the_secret_names_the_alias_and_the_proxys_role_and_only_its_owner_reads_it(state_home):
    secret.store("s3cret")
    path = secret.secret_file()
    text = path.read_text()
    assert text.startswith(f"{secret.alias('lab')} = host=") and f"user={secret.ROLES[0]} password=s3cret" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_pgbouncer_starts_with_an_empty_secret_that_its_configuration_includes(state_home):
    daemon = pgbouncer.DAEMONS[0]
    daemon.prepare()
    assert (daemon.folder / pgbouncer.SECRETS).read_text() == ""
    assert f"%include {daemon.folder}/{pgbouncer.SECRETS}\n" in (daemon.folder / "pgbouncer.ini").read_text()


class Session:
    """Stands in for the administrator's session and the proxy's console: records statements."""
    statements: list = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def execute(self, statement, *args):
        self.statements.append(statement)


def test_alternating_users_hand_over_to_the_other_role_and_single_user_keeps_it(state_home, monkeypatch):
    monkeypatch.setattr(secret, "writer_session", Session)
    monkeypatch.setattr(secret.admin, "connect", Session)
    monkeypatch.setattr(secret.admin, "await_full_pool", lambda *args: Session.statements.append("await"))
    secret.store("first")
    assert secret.current() == (secret.ROLES[0], "first")
    in_window = []
    new = secret.rotate(alternate=True, in_window=lambda: in_window.append(secret.current()))
    assert in_window == [(secret.ROLES[0], "first")], "the window is between the database and the secret"
    assert secret.current() == (secret.ROLES[1], new)
    secret.rotate(alternate=False)
    assert secret.current()[0] == secret.ROLES[1]
    assert Session.statements[-2:] == ["await", "RELOAD"]


def test_a_rotation_reloads_only_once_the_pool_is_full_and_no_login_is_under_way(monkeypatch):
    pools = iter([[{"database": "lab_app", "sv_login": 1, "sv_active": 0, "sv_idle": 1, "sv_used": 0}],
                  [{"database": "lab_app", "sv_login": 0, "sv_active": 0, "sv_idle": 1, "sv_used": 0}],
                  [{"database": "lab_app", "sv_login": 0, "sv_active": 1, "sv_idle": 0, "sv_used": 1},
                   {"database": "other", "sv_login": 3, "sv_active": 0, "sv_idle": 0, "sv_used": 0}]])
    monkeypatch.setattr(secret.admin, "show", lambda what, conn: next(pools))
    secret.admin.await_full_pool("lab_app", 2, conn=None)
    assert next(pools, "read") == "read", "it returned before the pool was full"


def test_a_pool_that_never_fills_is_named_in_the_error(monkeypatch):
    monkeypatch.setattr(secret.admin, "show", lambda what, conn: [
        {"database": "lab_app", "sv_login": 0, "sv_active": 0, "sv_idle": 1, "sv_used": 0}])
    with pytest.raises(TimeoutError, match="pool for lab_app to reach 2 .*SHOW POOLS now: .*sv_idle"):
        secret.admin.await_full_pool("lab_app", 2, conn=None, timeout=0.05)
