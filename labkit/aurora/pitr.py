"""PostgreSQL point-in-time recovery into a NEW server, as Aurora PostgreSQL restores to a new cluster.

The steps are the ones a DBA runs by hand: archive every WAL segment (Patroni sets
``archive_command`` for the whole cluster, applied by a reload), take a base backup, and later
start a copy of that backup on its own port with ``recovery.signal``, a ``restore_command`` that
reads the archive and a recovery target, so PostgreSQL replays the archived WAL up to the target
and promotes itself. The archive command and the recovery settings are the lesson, so the lab
writes them and passes them in; this module copies folders, changes the cluster's settings and
starts and stops servers. The live cluster is never touched by the restore.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Callable

import psycopg

from labkit import accounts, binaries, credentials, paths, poll, ports, procs
from labkit.cluster import patch_config
from labkit.endpoints import ENDPOINTS
from labkit.services.patroni import wal_archive_dir, writer_session

DISCARD = "/bin/true"  # the cluster's archive_command when no lab archives WAL
RESTORE = "pg-restore"


class RecoveryFailed(RuntimeError):
    """A step of the backup or the restore did not complete; the message says where to look."""


class RecoveryTimedOut(RecoveryFailed, poll.TimedOut):
    """A step of the backup or the restore did not complete in time."""


def shown_archive_command() -> str:
    """What ``SHOW archive_command`` says on the writer right now."""
    with writer_session() as conn:
        return conn.execute("SHOW archive_command").fetchone()[0]


def set_archive_command(command: str, timeout: float = 30.0) -> str:
    """Change ``archive_command`` cluster-wide through Patroni (a reload, no restart) and wait until
    the writer runs with it. Returns what ``SHOW archive_command`` says."""
    patch_config({"postgresql": {"parameters": {"archive_command": command}}})
    poll.until(lambda: shown_archive_command() == command, timeout, f"the writer to archive with {command!r}",
               interval=0.2, error=RecoveryTimedOut,
               hint=lambda: f"it still archives with {shown_archive_command()!r}")
    return command


def start_archiving(archive_command: Callable[[Path], str]) -> Path:
    """Empty the archive folder and set the cluster's archive_command to ``archive_command(folder)``;
    returns the folder."""
    archive = wal_archive_dir()
    _clear(archive)
    set_archive_command(archive_command(archive))
    return archive


def stop_archiving() -> None:
    """Back to discarding WAL, and empty the archive this lab filled."""
    set_archive_command(DISCARD)
    _clear(wal_archive_dir())


def _clear(folder: Path) -> None:
    for entry in folder.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def run_as_daemon(argv: list[str], what: str, env: dict | None = None) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, env=env, **accounts.popen_kwargs())
    if done.returncode:
        raise RecoveryFailed(f"{what} failed ({' '.join(argv[:3])} ...):\n{done.stderr[-2000:]}")


def _empty_data_folder(name: str) -> Path:
    """A fresh folder PostgreSQL accepts as a data directory (owned by the daemon account, 0700)."""
    folder = paths.sub(name)
    _clear(folder)
    return accounts.give(folder, 0o700)


def base_backup(folder: str = "pitr-base-backup") -> Path:
    """``pg_basebackup`` of the writer into the state folder's ``folder``, run as the daemon
    account; returns the backup folder.

    ``--no-sync`` skips flushing the copy to disk: a lab's backup need not survive a power cut,
    and the flush takes seconds on a busy laptop.
    """
    target = _empty_data_folder(folder)
    host, port = ENDPOINTS["pg-writer"].address
    run_as_daemon(
        [str(binaries.postgres_bin_dir() / "pg_basebackup"), "-h", host, "-p", str(port),
         "-U", "replicator", "-D", str(target), "-X", "stream", "-c", "fast", "--no-sync", "--no-password"],
        "pg_basebackup",
        env={"PGPASSWORD": credentials.local()["pg_replication"], "PGSSLMODE": "require"},
    )
    return target


def archive_current_segment(timeout: float = 30.0) -> str:
    """Close the current WAL segment (``pg_switch_wal``) and wait until the archiver reports it
    archived, so everything written so far can be replayed. Returns the segment's file name.

    The archiver's own report is awaited, not the file's appearance: ``cp`` may still be writing.
    """
    with writer_session() as conn:
        segment = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()[0]
        poll.until(lambda: (conn.execute("SELECT last_archived_wal FROM pg_stat_archiver").fetchone()[0] or "")
                   >= segment, timeout, f"{segment} to be archived into {wal_archive_dir()}",
                   error=RecoveryTimedOut, hint="check the writer's archive_command and pg_stat_archiver")
    return segment


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def own_server_settings(data_dir: Path, port: int, cluster_name: str) -> dict[str, str]:
    """What makes a copy of the cluster's data folder a server of its own, outside Patroni: its
    port, socket and hba files, and no archiving into the live cluster's archive."""
    return {
        "port": str(port),
        "listen_addresses": "127.0.0.1",
        "unix_socket_directories": str(data_dir),
        "hba_file": str(data_dir / "pg_hba.conf"),
        "ident_file": str(data_dir / "pg_ident.conf"),
        "cluster_name": cluster_name,
        "archive_mode": "off",
        "synchronous_standby_names": "",
    }


def auto_conf_block(title: str, settings: dict[str, str]) -> str:
    """``settings`` as lines to append to postgresql.auto.conf (which wins over the
    postgresql.conf Patroni wrote), under a comment naming who added them."""
    lines = ["", f"# {title}"]
    lines += [f"{name} = {_quote(value)}" for name, value in settings.items()]
    return "\n".join(lines) + "\n"


def pg_ctl(*args: str) -> list[str]:
    return [str(binaries.postgres_bin_dir() / "pg_ctl"), *args]


def restored_data_dir() -> Path:
    return paths.state_dir() / "pitr-restored"


def restore(backup: Path, recover: Callable[[Path], None], timeout: float = 60.0) -> Path:
    """Start a NEW server on the pg-restore endpoint from ``backup``, recovered as ``recover`` asks.

    The copy first gets settings that make it a server of its own (port, socket, no archiving);
    then ``recover(data_dir)`` writes the recovery settings and ``recovery.signal`` into it.
    Returns the data folder once the server has replayed the archive and promoted itself.
    """
    stop_restored()
    endpoint = ENDPOINTS[RESTORE]
    ports.ensure_free(endpoint)
    data = _empty_data_folder(restored_data_dir().name)
    run_as_daemon(["cp", "-a", f"{backup}/.", str(data)], "copying the base backup")
    (data / "standby.signal").unlink(missing_ok=True)  # a backup of a replica would carry one
    auto_conf = data / "postgresql.auto.conf"
    accounts.write(auto_conf, auto_conf.read_text() + auto_conf_block(
        "a server of its own (labkit.aurora.pitr)", own_server_settings(data, endpoint.bound_port, "restored")),
        0o600)
    recover(data)
    for written in data.iterdir():
        if written.is_file():
            accounts.give(written)  # what recover() wrote, for the account that runs PostgreSQL
    log = procs.log_file(RESTORE)
    run_as_daemon(pg_ctl("start", "-D", str(data), "-l", str(log), "-w", "-t", str(int(timeout))),
                   f"starting the restored server (see {log})")
    _wait_promoted(data, endpoint.bound_port, timeout, log)
    return data


def _wait_promoted(data: Path, port: int, timeout: float, log: Path) -> None:
    def promoted() -> bool:
        try:
            with psycopg.connect(host=str(data), port=port, user="postgres", dbname="postgres") as conn:
                return not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]
        except psycopg.OperationalError as exc:
            if procs.postmaster_pid(data) is None:
                raise RecoveryFailed(f"the restored server stopped: {exc}; see {log}") from None
            return False  # still starting

    poll.until(promoted, timeout, "the restored server to finish recovery", interval=0.2,
               error=RecoveryTimedOut, hint=f"see {log}")


def stop_restored() -> None:
    """Stop the restored server if it runs (fast shutdown) and delete its data."""
    data = restored_data_dir()
    if procs.postmaster_pid(data) is not None:
        run_as_daemon(pg_ctl("stop", "-D", str(data), "-m", "fast", "-w"), "stopping the restored server")
    if data.exists():
        shutil.rmtree(data)


def delete_base_backup(backup: Path) -> None:
    """Delete a base backup once no restore needs it."""
    shutil.rmtree(backup)
