"""Run one daemon under a small parent that reaps every process it leaves behind.

Patroni starts PostgreSQL through a double fork, so a killed postmaster is reparented to the
nearest "child subreaper", or to PID 1. Where PID 1 reaps slowly (containers, some VMs) the dead
postmaster stays a zombie and Patroni believes it still runs, so failover never starts. This
wrapper marks itself a subreaper, reaps at once, forwards stop signals and exits with the daemon.

Usage (labkit.procs does this): python -m labkit.supervise -- COMMAND [ARGS...]
"""
from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys

from labkit import accounts

PR_SET_CHILD_SUBREAPER = 36
CHILD_PID_FILE = "LABKIT_CHILD_PID_FILE"  # where to note the daemon's pid, to find it if this wrapper dies
AS_CALLER = "LABKIT_SUPERVISE_AS_CALLER"  # "1": run the daemon as the caller, not the daemon account


def become_subreaper() -> None:
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "--" or len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    become_subreaper()
    account = {} if os.environ.get(AS_CALLER) == "1" else accounts.popen_kwargs()
    child = subprocess.Popen(argv[1:], stdin=subprocess.DEVNULL, **account)
    if os.environ.get(CHILD_PID_FILE):
        with open(os.environ[CHILD_PID_FILE], "w") as out:
            out.write(str(child.pid))
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda signum, _frame: child.send_signal(signum))
    while True:
        pid, status = os.wait()
        if pid == child.pid:
            return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
