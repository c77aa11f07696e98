"""Everything a security lab sets up, taken down in one call: the lab's last cell and
``baseline.restore`` (after a lab stopped halfway) both use it."""
from __future__ import annotations

from labkit.security import firewall, pam, scratch, secure_mysql, secure_redis


def teardown() -> None:
    """Stop the labs' servers, remove the PAM service and the firewall rule."""
    firewall.clear()
    pam.remove()
    scratch.stop()
    secure_redis.stop()
    secure_mysql.stop()
