"""Steps that change the machine itself (a PAM service file, firewall rules) need root. As root
(CI, ``./course book``) labkit runs them; otherwise the page prints the exact command and skips."""
from __future__ import annotations

import os

from labkit.control import SKIPPED


def allowed(what: str, command: str) -> bool:
    """Whether this process may ``what``; when not, print the command a root user would run."""
    if os.geteuid() == 0:
        return True
    print(f"{SKIPPED} {what} needs root. Run this as root, then run the cell again:\n    {command}")
    return False
