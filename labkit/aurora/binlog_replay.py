"""MariaDB point-in-time recovery: a logical dump, then the writer's binlog replayed up to an event.

This is how a self-managed MySQL or MariaDB is brought back to the moment before a mistake, and
what Aurora MySQL's Backtrack saves you from: restore the last ``mariadb-dump`` into a NEW server
(the ``mysql-restore`` endpoint), read in the dump where the writer's binary log stood when it
was taken, find the event of the accident in the binlog, and pipe ``mariadb-binlog`` from the
first position to just before the accident into the new server.

The commands and the search for the accident (``dump_command``, ``first_delete_of``,
``replay_command``) are part of what labs 6, 18 and 23 teach, so they are short and shown in them;
the runners (``take_dump``, ``binlog_events``, ``pipe_into``) take the command lines and add
only the root login on this machine.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

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


def dump_command(database, table):
    """A logical backup of one table from one consistent snapshot, with the
    binlog file and position of that snapshot written into it."""
    return ["mariadb-dump", "--single-transaction", "--master-data=2",
            database, table]


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


def first_delete_of(events, table):
    """Where the first transaction that deletes rows of table ("db.table")
    starts, in the rows of SHOW BINLOG EVENTS."""
    start, ours = None, False
    for log_name, pos, event_type, _server, _end, info in events:
        if event_type == "Gtid":  # a transaction begins here
            start, ours = BinlogPosition(log_name, pos), False
        elif event_type == "Table_map":  # the table of the row events that follow
            ours = f"({table})" in info
        elif event_type.startswith("Delete_rows") and ours:
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


def replay_command(binlogs, start, stop, table):
    """mariadb-binlog printing the row changes of table from start (in the
    first file) up to, not including, the event at stop (in the last file)."""
    return ["mariadb-binlog", f"--start-position={start.position}",
            f"--stop-position={stop.position}", f"--table={table}",
            *map(str, binlogs)]


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


def stop_restore_server() -> None:
    """Stop the restore server if it runs and delete its data."""
    server = restore_server()
    server.stop()
    shutil.rmtree(server.folder)
