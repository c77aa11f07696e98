import os
import pwd

import pytest

from labkit import accounts


def test_as_root_daemons_run_as_postgres(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.delenv("LABKIT_DAEMON_USER", raising=False)
    acct = accounts.daemon_account()
    assert acct.name == "postgres" and acct.uid != 0
    assert accounts.popen_kwargs() == {"user": acct.uid, "group": acct.gid, "extra_groups": []}


def test_as_a_normal_user_daemons_run_as_that_user(monkeypatch):
    nobody = pwd.getpwnam("nobody")
    monkeypatch.setattr(os, "geteuid", lambda: nobody.pw_uid)
    assert accounts.daemon_account().name == "nobody"
    assert accounts.popen_kwargs() == {}


def test_root_is_refused_as_daemon_account(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setenv("LABKIT_DAEMON_USER", "root")
    with pytest.raises(RuntimeError, match="refuse root"):
        accounts.daemon_account()


def test_a_missing_account_says_what_to_do(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setenv("LABKIT_DAEMON_USER", "no-such-user-here")
    with pytest.raises(RuntimeError, match="does not exist.*LABKIT_DAEMON_USER"):
        accounts.daemon_account()
