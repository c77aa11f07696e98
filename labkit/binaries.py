"""Find the server programs the local cloud runs, or say how to install them."""
from __future__ import annotations

import glob
import shutil
import sys
from pathlib import Path

# program -> (Debian package, Homebrew formula)
PACKAGES = {
    "postgres": ("postgresql", "postgresql@15"),
    "pg_ctl": ("postgresql", "postgresql@15"),
    "etcd": ("etcd-server", "etcd"),
    "haproxy": ("haproxy", "haproxy"),
    "pgbouncer": ("pgbouncer", "pgbouncer"),
    "mariadbd": ("mariadb-server", "mariadb"),
    "mariadb-install-db": ("mariadb-server", "mariadb"),
    "redis-server": ("redis-server", "redis"),
    "redis-benchmark": ("redis-tools", "redis"),
    "memcached": ("memcached", "memcached"),
}

_EXTRA_DIRS = ["/usr/sbin", "/usr/local/sbin", "/opt/homebrew/bin", "/opt/homebrew/sbin", "/usr/local/opt/*/bin"]


class MissingProgram(RuntimeError):
    """A server program is not installed."""


def install_hint(program: str) -> str:
    deb, brew = PACKAGES.get(program, (program, program))
    return f"apt-get install {deb}  (Debian/Ubuntu)  or  brew install {brew}  (macOS)"


def postgres_bin_dir() -> Path:
    """The newest installed PostgreSQL server's bin folder (Debian keeps it off the PATH)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"),
                        key=lambda p: int(Path(p).parent.parent.name))
    candidates += glob.glob("/opt/homebrew/opt/postgresql@*/bin/postgres")
    candidates += glob.glob("/usr/local/opt/postgresql@*/bin/postgres")
    if candidates:
        return Path(candidates[-1]).parent if sys.platform.startswith("linux") else Path(candidates[0]).parent
    found = shutil.which("postgres")
    if found:
        return Path(found).parent
    raise MissingProgram(f"PostgreSQL's server is not installed: {install_hint('postgres')}")


def find(program: str) -> str:
    found = shutil.which(program)
    for pattern in _EXTRA_DIRS:
        if found:
            break
        for folder in glob.glob(pattern):
            if Path(folder, program).exists():
                found = str(Path(folder, program))
                break
    if not found:
        raise MissingProgram(f"{program} is not installed: {install_hint(program)}; `./course book` installs "
                             f"everything the course needs.")
    return found
