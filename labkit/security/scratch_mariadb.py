"""MariaDB servers the security labs start for themselves, each with the settings the page teaches.

A lab hands ``start`` the server settings it is about (encryption at rest, the audit plugin) as
option-file lines, and, for encryption, the text of the key file. labkit adds what every course
server has (its own port, folders and binary log, a GTID domain of its own so one server can
replicate from another) and starts it empty. ``disk_of`` starts a server on a copy of another,
stopped server's data folder: the disk a thief walks away with. ``stop`` stops a server and
throws its data away; ``stop_all`` does it for every one of them, at the end of a lab.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from labkit import accounts, credentials, procs
from labkit.endpoints import ENDPOINTS
from labkit.security import own_servers
from labkit.services.mariadb import MariaDB

SERVERS = ("mariadb-plain", "mariadb-encrypted", "mariadb-stolen", "mariadb-audited")
KEY_FILE = "keys.txt"
PLUGIN_DIR = Path("/usr/lib/mysql/plugin")  # Debian's; Homebrew's mariadbd finds its own
PLUGIN_PACKAGES = {"file_key_management": "mariadb-server", "server_audit": "mariadb-server"}


class ScratchServerFailed(RuntimeError):
    """A scratch server could not start; the message quotes its error log and names the fix."""


@dataclass
class ScratchMariaDB(MariaDB):
    settings: str = ""
    stop_timeout: float = 30.0  # a clean shutdown flushes every page: the stolen copy relies on it

    @property
    def server_id(self) -> int:
        return ENDPOINTS[self.name].port

    def _config(self) -> str:
        return f"{super()._config()}gtid-domain-id = {self.server_id}\n{self.settings}\n"

    @property
    def data(self) -> Path:
        return self.folder / "data"


def server(name: str, settings: str = "") -> ScratchMariaDB:
    if name not in SERVERS:
        raise KeyError(f"{name!r} is not a scratch MariaDB server; use one of {', '.join(SERVERS)}")
    return ScratchMariaDB(name, binds=(name,), settings=settings)


def key_file(name: str) -> Path:
    """Where server ``name`` reads its encryption keys (file_key_management_filename)."""
    return server(name).folder / KEY_FILE


def _check_plugins(settings: str) -> None:
    """Name the package to install when the settings load a plugin this machine does not have."""
    if not PLUGIN_DIR.is_dir():
        return
    for plugin in re.findall(r"^\s*plugin[-_]load[-_]add\s*=\s*(\w+)", settings, re.M):
        if not (PLUGIN_DIR / f"{plugin}.so").exists():
            package = PLUGIN_PACKAGES.get(plugin, "the package that ships it")
            raise ScratchServerFailed(f"the MariaDB plugin {plugin} is not installed ({PLUGIN_DIR / plugin}.so "
                                      f"is missing): install {package} (`bash scripts/system-packages.sh`)")


def _check_key_file(name: str, settings: str) -> None:
    named = re.search(r"^\s*file[-_]key[-_]management[-_]filename\s*=\s*(\S+)", settings, re.M)
    if named and not Path(named.group(1)).is_file():
        raise ScratchServerFailed(f"{name}'s settings read keys from {named.group(1)}, which does not exist: "
                                  f"pass the key file's text as start(..., key=...)")


def _write_key(name: str, key: str) -> None:
    if not re.fullmatch(r"(\d+;[0-9a-fA-F]{32,64}\n?)+", key):
        raise ValueError(f"the key file text {key[:20]!r}... is not lines of 'ID;HEX' "
                         f"(for example '1;' followed by 64 hex digits)")
    path = key_file(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    accounts.write(path, key, 0o600)


def errors(name: str) -> list[str]:
    """The [ERROR] lines server ``name`` wrote to its error log (its stderr) since it was started."""
    log = procs.log_file(name)
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    return [line for line in lines if "[ERROR]" in line]


def start(name: str, settings: str = "", key: str | None = None, disk_of: str | None = None,
          timeout: float = 60.0) -> ScratchMariaDB:
    """Start server ``name`` with ``settings`` (option-file lines) and the key file text ``key``:
    empty, or on a copy of the data folder of ``disk_of``, a server stopped with ``shutdown``.
    Returns it once it accepts logins, the course's login and database created."""
    own_servers.announce()
    stop(name)
    if key is not None:
        _write_key(name, key)
    _check_plugins(settings)
    _check_key_file(name, settings)
    daemon = server(name, settings)
    if disk_of is not None:
        source = server(disk_of)
        if source.running():
            raise ScratchServerFailed(f"{disk_of} still runs: shutdown({disk_of!r}) first, so its disk is consistent")
        if not source.data.is_dir():
            raise ScratchServerFailed(f"{disk_of} has no data folder to copy ({source.data}); start it first")
        daemon.folder.mkdir(parents=True, exist_ok=True)
        shutil.copytree(source.data, daemon.data, ignore=shutil.ignore_patterns("*.sock", "*.pid"))
        for path in [daemon.data, *daemon.data.rglob("*")]:
            accounts.give(path)
    daemon.start()
    if not daemon.wait_ready(timeout):
        _failed(daemon, timeout)
    if disk_of is None:
        _create_lab_login(daemon)
    return daemon


def _failed(daemon: ScratchMariaDB, timeout: float) -> None:
    how = f"was not ready after {timeout:.0f} s" if daemon.running() else "stopped"
    daemon.stop()
    found = "\n".join(errors(daemon.name)[-8:]) or "(none logged)"
    raise ScratchServerFailed(f"{daemon.name} did not start: it {how}. Its errors:\n{found}\n"
                              f"Full log: {procs.log_file(daemon.name)}")


def _create_lab_login(daemon: ScratchMariaDB) -> None:
    lab = credentials.mysql()
    with daemon.root() as conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE IF NOT EXISTS `{lab.database}`")
        cur.execute(f"CREATE USER IF NOT EXISTS '{lab.user}'@'%' IDENTIFIED BY '{lab.password}'")
        cur.execute(f"GRANT ALL ON `{lab.database}`.* TO '{lab.user}'@'%'")


def shutdown(name: str) -> None:
    """Stop server ``name`` cleanly and keep its data (for ``start(..., disk_of=name)``)."""
    server(name).stop()


def stop(name: str) -> None:
    """Stop server ``name`` and delete its data, key file included, and its log."""
    daemon = server(name)
    daemon.stop()
    shutil.rmtree(daemon.folder)
    procs.log_file(name).unlink(missing_ok=True)


def stop_all() -> None:
    for name in SERVERS:
        stop(name)
