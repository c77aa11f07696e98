"""MariaDB point-in-time recovery: a logical dump, then the writer's binlog replayed up to an event.

This is how a self-managed MySQL or MariaDB is brought back to the moment before a mistake, and
what Aurora MySQL's Backtrack saves you from: restore the last ``mariadb-dump`` into a NEW server
(the ``mysql-restore`` endpoint), read in the dump where the writer's binary log stood when it
was taken, find the event of the accident in the binlog, and pipe ``mariadb-binlog`` from the
first position to just before the accident into the new server.

The runners (``take_dump``, ``binlog_events``, ``pipe_into``) take the command lines a lab
builds and add only the root login on this machine; ``dump``, ``find_accident`` and ``replay``
are the whole recovery in one call each, for the labs that are about something else.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from labkit import binaries, credentials, paths
from labkit.services.mariadb import DAEMONS as MARIADB_DAEMONS
from labkit.services.mariadb import MariaDB

RESTORE = "mysql-restore"
FIRST_EVENT = 4  # every binlog file starts with a 4-byte magic number, then its first event


class ReplayFailed(RuntimeError):
    """A step of the dump, the search or the replay failed; the message says which."""


@dataclass(frozen=True)
class BinlogPosition:
    file: str
    position: int

    def __str__(self) -> str:
        return f"{self.file}:{self.position}"


class RestoreServer(MariaDB):
    """A MariaDB server of the course's kind on its own port, without a binary log of its own:
    it is a restore target, not a replication source, and replaying the writer's GTIDs into a
    binlog with ``gtid_strict_mode`` would be refused as out of order."""

    def argv(self) -> list[str]:
        return [*super().argv(), "--skip-log-bin"]


def _writer() -> MariaDB:
    return MARIADB_DAEMONS[0]


def restore_server() -> RestoreServer:
    return RestoreServer(RESTORE, binds=(RESTORE,))


def _client_env(password: str) -> dict:
    return {**os.environ, "MYSQL_PWD": password}  # keeps the password off the command line


def _root_on_writer() -> list[str]:
    return [f"--socket={_writer().socket_path}", "--user=root"]


def parse_dump_position(dump: str) -> BinlogPosition:
    """The writer's binlog file and position when ``mariadb-dump --master-data=2`` took ``dump``."""
    found = re.search(r"MASTER_LOG_FILE='([^']+)',\s*MASTER_LOG_POS=(\d+)", dump)
    if found is None:
        raise ReplayFailed("the dump records no binlog position: take it with --master-data=2")
    return BinlogPosition(found.group(1), int(found.group(2)))


@dataclass(frozen=True)
class Dump:
    file: Path
    start: BinlogPosition  # where the writer's binlog stood when the dump was consistent


def take_dump(argv: list[str]) -> Dump:
    """Run a ``mariadb-dump`` command line (``--master-data=2`` among its options) on the writer as
    root, into a file in the state folder named after its last argument; returns the file and
    the binlog position the dump records."""
    program, *options = argv
    done = subprocess.run([binaries.find(program), *_root_on_writer(), *options], capture_output=True,
                          text=True, env=_client_env(credentials.local()["mysql_root"]))
    if done.returncode:
        raise ReplayFailed(f"{program} failed:\n{done.stderr[-2000:]}")
    out = paths.sub("binlog-replay") / f"{argv[-1]}.sql"
    out.write_text(done.stdout)
    return Dump(out, parse_dump_position(done.stdout))


def dump(database: str, table: str) -> Dump:
    """``mariadb-dump`` one table of the writer, consistent (one snapshot) and with its binlog
    position."""
    return take_dump(["mariadb-dump", "--single-transaction", "--master-data=2", database, table])


def first_delete_of(events: Iterable[tuple], table_ref: str) -> BinlogPosition | None:
    """Where the first transaction that deletes rows of ``table_ref`` (``db.table``) starts.

    ``events`` are rows of ``SHOW BINLOG EVENTS`` (Log_name, Pos, Event_type, Server_id,
    End_log_pos, Info) in order. A transaction starts at its ``Gtid`` event; in row format its
    changes follow as a ``Table_map`` naming the table and ``Delete_rows`` events.
    """
    start, mapped = None, False
    for log_name, pos, event_type, _server, _end, info in events:
        if event_type == "Gtid":
            start, mapped = BinlogPosition(log_name, pos), False
        elif event_type == "Table_map":
            mapped = f"({table_ref})" in info
        elif event_type.startswith("Delete_rows") and mapped and start is not None:
            return start
    return None


def binlog_files(first: str, last: str | None = None) -> list[str]:
    """The writer's binlog files from ``first`` to ``last`` (default: the newest), in order."""
    with _writer().root() as conn, conn.cursor() as cur:
        cur.execute("SHOW BINARY LOGS")
        return [row[0] for row in cur.fetchall() if first <= row[0] and (last is None or row[0] <= last)]


def binlog_paths(first: str, last: str) -> list[Path]:
    """The writer's binlog files from ``first`` to ``last``, in order, where mariadb-binlog reads them."""
    return [_writer().folder / "data" / name for name in binlog_files(first, last)]


def binlog_events(since: BinlogPosition) -> list[tuple]:
    """Every row of ``SHOW BINLOG EVENTS`` on the writer from ``since`` on, across its files:
    (Log_name, Pos, Event_type, Server_id, End_log_pos, Info)."""
    events = []
    with _writer().root() as conn, conn.cursor() as cur:
        for name in binlog_files(since.file):
            first = since.position if name == since.file else FIRST_EVENT
            cur.execute(f"SHOW BINLOG EVENTS IN '{name}' FROM {first}")
            events += cur.fetchall()
    return events


def find_accident(database: str, table: str, since: BinlogPosition) -> BinlogPosition:
    """Search the writer's binlog, from ``since`` on, for the start of the first DELETE on ``table``."""
    found = first_delete_of(binlog_events(since), f"{database}.{table}")
    if found is None:
        raise ReplayFailed(f"no DELETE on {database}.{table} in the binlog after {since}")
    return found


def replay_command(program: str, folder: Path, files: list[str], start: BinlogPosition,
                   stop: BinlogPosition, table: str) -> list[str]:
    """The ``mariadb-binlog`` command that prints the row changes of ``table`` from ``start`` up
    to, not including, the event at ``stop``. With several files, ``--start-position`` applies to
    the first and ``--stop-position`` to the last, as mariadb-binlog defines them."""
    if not files or files[0] != start.file or files[-1] != stop.file:
        raise ValueError(f"files {files} must run from {start.file} to {stop.file}")
    if start.file == stop.file and start.position > stop.position:
        raise ValueError(f"start {start.position} is after stop {stop.position} in {start.file}")
    return [program, f"--start-position={start.position}", f"--stop-position={stop.position}",
            f"--table={table}", *(str(folder / name) for name in files)]


def start_restore_server(timeout: float = 60.0) -> RestoreServer:
    """A fresh, empty MariaDB on the mysql-restore endpoint, with the course's login and database."""
    stop_restore_server()
    server = restore_server()
    server.start()
    if not server.wait_ready(timeout):
        raise ReplayFailed(f"the restore server did not start in {timeout:.0f} s; see its log under "
                           f"{paths.sub('logs')}")
    lab = credentials.mysql()
    with server.root() as conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE IF NOT EXISTS `{lab.database}`")
        cur.execute(f"CREATE USER IF NOT EXISTS '{lab.user}'@'%' IDENTIFIED BY '{lab.password}'")
        cur.execute(f"GRANT ALL ON `{lab.database}`.* TO '{lab.user}'@'%'")
    return server


def _into_restore_server(server: RestoreServer, database: str, stdin, what: str) -> None:
    done = subprocess.run([binaries.find("mariadb"), f"--socket={server.socket_path}", "--user=root",
                           database], stdin=stdin, capture_output=True, text=True, env=_client_env(""))
    if done.returncode:
        raise ReplayFailed(f"{what} into {server.name} failed:\n{done.stderr[-2000:]}")


def load_dump(server: RestoreServer, database: str, dump_file: Path) -> None:
    with dump_file.open() as source:
        _into_restore_server(server, database, source, "loading the dump")


def pipe_into(server: RestoreServer, database: str, argv: list[str]) -> None:
    """Run ``argv`` (a ``mariadb-binlog`` command line) and feed what it prints into ``server``."""
    program, *arguments = argv
    reader = subprocess.Popen([binaries.find(program), *arguments], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    _into_restore_server(server, database, reader.stdout, "replaying the binlog")
    reader.stdout.close()
    if reader.wait():
        raise ReplayFailed(f"{program} failed:\n{reader.stderr.read().decode()[-2000:]}")


def replay(server: RestoreServer, database: str, table: str, start: BinlogPosition,
           stop: BinlogPosition) -> list[str]:
    """Pipe the writer's binlog from ``start`` to just before ``stop`` into ``server``; returns
    the mariadb-binlog command it ran."""
    argv = replay_command("mariadb-binlog", _writer().folder / "data",
                          binlog_files(start.file, stop.file), start, stop, table)
    pipe_into(server, database, argv)
    return argv


def stop_restore_server() -> None:
    """Stop the restore server if it runs and delete its data."""
    server = restore_server()
    server.stop()
    shutil.rmtree(server.folder)
