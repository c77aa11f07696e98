"""Where the local cloud keeps its state: one git-ignored folder with data, logs, configs and secrets.

When labkit runs as root the daemons run as an unprivileged account, which must be able to
reach that folder. A checkout under a private home (``/root`` is mode 0700) is not reachable,
so there ``.labs`` becomes a symlink to a folder under ``/var/tmp`` that the account can reach.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from labkit import accounts

REPO = Path(__file__).resolve().parent.parent


def _traversable_by_others(path: Path) -> bool:
    return all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents])


def state_dir() -> Path:
    """The state folder (``LABKIT_HOME`` or ``.labs`` in the checkout), created and reachable."""
    custom = os.environ.get("LABKIT_HOME")
    base = Path(custom).expanduser().resolve() if custom else REPO / ".labs"
    if base.is_symlink() or base.exists():
        base = base.resolve()
    elif accounts.switching_user() and not _traversable_by_others(base.parent):
        target = Path("/var/tmp") / f"labkit-{hashlib.sha1(str(base).encode()).hexdigest()[:10]}"
        target.mkdir(mode=0o755, exist_ok=True)
        base.symlink_to(target)
        base = target
    base.mkdir(parents=True, exist_ok=True)
    if accounts.switching_user() and not _traversable_by_others(base):
        raise PermissionError(
            f"{base} is not reachable by the account {accounts.daemon_account().name!r} that runs the "
            f"servers; set LABKIT_HOME to a folder under /var/tmp or /srv."
        )
    return base


def sub(*parts: str) -> Path:
    """A folder inside the state folder, created and owned by the daemon account."""
    path = state_dir().joinpath(*parts)
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True)  # two threads may ask for it at once
        accounts.give(path)
    return path
