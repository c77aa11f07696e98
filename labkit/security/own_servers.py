"""Why the security labs start servers of their own even beside servers labkit did not start.

Their subject is a server's own set-up: its certificate, login rules and token check, its
encryption keys, its audit plugin. On a managed service those are the instance's configuration,
which no client changes, so the labs run on servers they start on this machine wherever the
other labs point, leave the reader's servers alone, and say so once.
"""
from __future__ import annotations

from labkit import external

OWN_SERVERS = ("The security labs' subject is a server's own set-up (its certificate, login rules, token "
               "check, encryption keys and audit plugin), which no client can change on a managed "
               "service, so this lab starts servers of its own on this machine and leaves the servers you "
               "pointed the labs at alone; on AWS, that set-up is the instance's parameter group and "
               "options (`aws rds modify-db-parameter-group`, `aws rds modify-db-instance`).")
_asked: list[bool] = []


def announce() -> None:
    """Before a lab's first server starts: say, once per process, that it is labkit's own when the
    labs point at servers labkit did not start (nothing in the local cloud)."""
    if _asked:
        return
    _asked.append(True)
    if external.outside():
        print(OWN_SERVERS)
