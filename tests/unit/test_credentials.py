from labkit import credentials


def test_passwords_are_generated_once_and_kept(state_home):
    first = credentials.local()
    assert set(first) == set(credentials.SECRETS) and len(set(first.values())) == len(first)
    assert credentials.local() == first
    assert (state_home / "credentials.json").stat().st_mode & 0o077 == 0


def test_environment_overrides_the_login(state_home, monkeypatch):
    assert credentials.pg() == credentials.Login("lab", credentials.local()["pg_lab"], "lab")
    monkeypatch.setenv("LABKIT_MYSQL_USER", "admin")
    monkeypatch.setenv("LABKIT_MYSQL_PASSWORD", "")
    monkeypatch.setenv("LABKIT_MYSQL_DATABASE", "shop")
    assert credentials.mysql() == credentials.Login("admin", "", "shop")


def test_a_redis_labkit_did_not_start_gets_the_login_of_the_environment(monkeypatch):
    for name in ("LABKIT_REDIS_USER", "LABKIT_REDIS_PASSWORD", "LABKIT_REDIS_TLS"):
        monkeypatch.delenv(name, raising=False)
    assert credentials.redis() == {}
    monkeypatch.setenv("LABKIT_REDIS_USER", "app")
    monkeypatch.setenv("LABKIT_REDIS_PASSWORD", "token")
    monkeypatch.setenv("LABKIT_REDIS_TLS", "1")
    assert credentials.redis() == {"username": "app", "password": "token", "ssl": True}
