"""The lines a server wrote to a log file since a moment the lab marked.

PostgreSQL writes pgaudit's lines, and its own lines about logins, to its server log: here the
writer node's log file, which Patroni shares with PostgreSQL. MariaDB's server_audit plugin
writes a file of its own. On AWS both go to the instance's log files and, once exported, to
CloudWatch Logs, where ``aws logs filter-log-events`` plays the part of ``since``.
"""
from __future__ import annotations

from pathlib import Path

from labkit import cluster, procs


def pg_writer_log() -> Path:
    """The log file of the node that is the writer now."""
    writer = cluster.writer()
    if writer is None:
        raise cluster.ClusterUnhealthy("the cluster has no writer: run `./course up`")
    return procs.log_file(writer)


def mark(path: Path) -> int:
    """Where the file ends now (0 if it does not exist yet)."""
    return path.stat().st_size if path.exists() else 0


def since(path: Path, offset: int) -> list[str]:
    """The lines written to ``path`` after ``offset`` (from ``mark``)."""
    if not path.exists():
        raise FileNotFoundError(f"no log at {path}: is the server running, with its log there?")
    with path.open("rb") as f:
        f.seek(offset)
        return f.read().decode(errors="replace").splitlines()
