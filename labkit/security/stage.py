"""Everything a security lab sets up, taken down in one call: the lab's last cell and
``baseline.restore`` (after a lab stopped halfway) both use it."""
from __future__ import annotations

from labkit.security import firewall, pam, scratch


def teardown() -> None:
    """Stop the lab's server, remove its PAM service and the firewall rule."""
    firewall.clear()
    pam.remove()
    scratch.stop()
