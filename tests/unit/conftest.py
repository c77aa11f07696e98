"""Fixtures for the unit tests: a private state folder, so nothing touches the real local cloud."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest


@pytest.fixture
def state_home(monkeypatch) -> Path:
    """A throwaway LABKIT_HOME the daemon account can reach (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="labkit-test-", dir="/var/tmp"))
    os.chmod(folder, 0o755)
    monkeypatch.setenv("LABKIT_HOME", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)
