"""What a Redis node keeps through a crash (AOF) and a backup (an RDB snapshot restored elsewhere).

Each trial starts a standalone node empty with the persistence settings the page gives, writes
keys one command at a time, ``kill -9``s the server, starts it again on the same folder and lets
the page's function count the keys that came back. Without persistence
nothing comes back. With the append-only file (AOF) every acknowledged write does once Redis
has written it to the file: a killed process loses nothing the kernel already holds. What
``appendfsync`` decides is how often that file is forced to disk, which only matters when the
machine itself fails, not measured here.
"""
from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from labkit import paths, poll, tables
from labkit.cache import standalone
from labkit.cache.engines import redis_restart
from labkit.services import BY_NAME

@dataclass(frozen=True)
class CrashTrial:
    label: str
    appendonly: bool          # whether the node logged each write to the append-only file
    appendfsync: str | None   # how often it forced that file to disk ("everysec", "always"); None without it
    written: int
    survived: int
    restart_seconds: float


def wait_for_aof(client: redis.Redis, timeout: float = 15.0) -> None:
    """Block until the AOF that ``appendonly yes`` starts with a rewrite is complete."""
    def rewritten() -> bool:
        info = client.info("persistence")
        return not info["aof_enabled"] or not (info["aof_rewrite_in_progress"] or info["aof_rewrite_scheduled"])

    poll.until(rewritten, timeout, "the first AOF rewrite to finish", interval=0.05)


def write_keys(client: redis.Redis, prefix: str, n: int, start: int = 0) -> list[str]:
    """``n`` keys, one SET each (one AOF entry each), sent in a pipeline; returns their names."""
    names = [f"{prefix}doc:{k}" for k in range(start, start + n)]
    pipe = client.pipeline(transaction=False)
    for name in names:
        pipe.set(name, "payload")
    pipe.execute()
    return names


def wait_for_aof_buffer(client: redis.Redis, timeout: float = 5.0) -> None:
    """Block until Redis has handed every acknowledged write to the kernel. With ``everysec``, a
    write arriving while the last second's fsync still runs stays in Redis's own buffer for up to
    2 s: a crash then loses it with the process, whatever the file holds."""
    poll.until(lambda: not client.info("persistence").get("aof_buffer_length", 0), timeout,
               "Redis to hand its buffered AOF writes to the kernel", interval=0.01)


Count = Callable[[redis.Redis, list[str]], int]


def crash_trial(label: str, settings: dict[str, str], prefix: str, count: Count, n: int = 2000,
                name: str = "redis-standalone1") -> CrashTrial:
    """Start ``name`` empty with ``settings`` (CONFIG SET each), write ``n`` keys, kill -9 the node,
    restart it, and ``count(client, names)`` what is back."""
    if "appendonly" not in settings:
        raise KeyError(f"the settings {label!r} must say appendonly yes or no (got {settings})")
    client = standalone.start(name, **settings)
    wait_for_aof(client)
    client.config_rewrite()  # the restart reads the config file, so it must hold these settings
    appendonly = client.config_get("appendonly")["appendonly"] == "yes"
    appendfsync = client.config_get("appendfsync")["appendfsync"] if appendonly else None
    names = write_keys(client, prefix, n)
    wait_for_aof_buffer(client)
    redis_restart.crash(name)
    t0 = time.monotonic()
    client = standalone.restart(name)
    seconds = time.monotonic() - t0
    return CrashTrial(label, appendonly, appendfsync, n, count(client, names), seconds)


@dataclass(frozen=True)
class BackupRestore:
    in_backup: int          # keys written before the snapshot
    after_backup: int       # keys written after it
    restored: int           # of the first, found on the node restored from the snapshot
    later_found: int        # of the second, found there (a snapshot is a point in time: none)


def backup_and_restore(prefix: str, count: Count, n: int = 2000, source: str = "redis-standalone1",
                       target: str = "redis-standalone2") -> BackupRestore:
    """Snapshot ``source`` (SAVE writes an RDB file), write more, restore the file into ``target``
    and ``count(client, names)`` each part there."""
    client = standalone.start(source)
    before = write_keys(client, prefix, n)
    client.save()
    backup = paths.sub("backups") / f"{source}.rdb"
    shutil.copyfile(BY_NAME[source].folder / "dump.rdb", backup)
    later = write_keys(client, prefix, n // 10, start=n)
    restored = redis_restart.restore(backup, target)
    return BackupRestore(len(before), len(later), count(restored, before), count(restored, later))


def trial_table(trials: list[CrashTrial]) -> str:
    return tables.markdown(["setting", "keys written", "keys back after kill -9", "restart seconds"],
                           [[t.label, t.written, t.survived, f"{t.restart_seconds:.2f}"] for t in trials],
                           align="lrrr")
