"""The proxy's own login lives in a file of its own, empty in the baseline."""
import stat

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
    secret.store("first")
    assert secret.current_role() == secret.ROLES[0]
    new = secret.rotate(alternate=True)
    assert secret.current_role() == secret.ROLES[1] and f"password={new}\n" in secret.secret_file().read_text()
    secret.rotate(alternate=False)
    assert secret.current_role() == secret.ROLES[1]
    assert Session.statements[-2:] == ["RELOAD", "RECONNECT"]
