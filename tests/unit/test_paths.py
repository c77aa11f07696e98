import os
import tempfile
from pathlib import Path

import pytest

from labkit import accounts, paths


def test_labkit_home_is_the_state_folder(state_home):
    assert paths.state_dir() == state_home.resolve()
    assert paths.sub("logs").is_dir()


def test_a_private_checkout_gets_a_reachable_state_folder(monkeypatch):
    private = Path(tempfile.mkdtemp(prefix="labkit-private-", dir="/var/tmp"))
    os.chmod(private, 0o700)
    monkeypatch.setenv("LABKIT_HOME", str(private / ".labs"))
    monkeypatch.setattr(accounts, "switching_user", lambda: True)
    state = paths.state_dir()
    try:
        assert (private / ".labs").is_symlink()
        assert state.parent == Path("/var/tmp") and state.name.startswith("labkit-")
        assert paths.state_dir() == state  # stable on the next call
    finally:
        (private / ".labs").unlink()
        state.rmdir()
        private.rmdir()


def test_an_unreachable_custom_home_is_refused(monkeypatch):
    private = Path(tempfile.mkdtemp(prefix="labkit-private-", dir="/var/tmp"))
    os.chmod(private, 0o700)
    (private / "home").mkdir()
    monkeypatch.setenv("LABKIT_HOME", str(private / "home"))
    monkeypatch.setattr(accounts, "switching_user", lambda: True)
    try:
        with pytest.raises(PermissionError, match="set LABKIT_HOME"):
            paths.state_dir()
    finally:
        (private / "home").rmdir()
        private.rmdir()
