"""A rule in front of a port, outside the database: the local stand-in for a security group.

A table of nftables rules of this cloud's own (one per LABKIT_PORT_OFFSET) holds at most one rule:
drop or reject TCP connections to one port. Loopback traffic passes the input hook, so the rule
applies to clients on this machine too.
"""
from __future__ import annotations

import os
import shutil
import subprocess

from labkit.endpoints import port_offset
from labkit.security import privileged

VERDICTS = {"drop": "drop", "reject": "reject with tcp reset"}


def table() -> str:
    return f"labkit_sg_{port_offset()}"


def ruleset(port: int, verdict: str) -> str:
    """nftables input for one rule; replaces the table atomically (created, deleted, made again)."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
    name = table()
    return (f"table inet {name} {{}}\ndelete table inet {name}\n"
            f"table inet {name} {{\n  chain input {{\n    type filter hook input priority 0; policy accept;\n"
            f"    tcp dport {port} {VERDICTS[verdict]}\n  }}\n}}\n")


def _nft(script: str) -> None:
    program = shutil.which("nft") or "/usr/sbin/nft"
    done = subprocess.run([program, "-f", "-"], input=script, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"nft refused the rules ({done.stderr.strip()}); install nftables "
                           f"(apt-get install nftables) and run as root")


def apply(port: int, verdict: str) -> bool:
    """Drop or reject new TCP connections to ``port``; False (with the command printed) when not root."""
    script = ruleset(port, verdict)
    if not privileged.allowed(f"a firewall rule ({verdict} to port {port})",
                              f"sudo nft -f - <<'EOF'\n{script}EOF\n(and afterwards: sudo nft delete table "
                              f"inet {table()})"):
        return False
    _nft(script)
    return True


def clear() -> None:
    """Remove this cloud's table if it exists (nothing to do without root: it cannot exist)."""
    if os.geteuid() == 0 and shutil.which("nft"):
        name = table()
        _nft(f"table inet {name} {{}}\ndelete table inet {name}\n")
