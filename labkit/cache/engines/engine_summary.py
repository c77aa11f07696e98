"""The notes' Redis vs Memcached list, each line beside what the lab measured for it.

Every cell of the last column is built from the results objects of this run, never typed in.
"""
from __future__ import annotations

from labkit import tables
from labkit.cache.engines.data_structures import BoardRun
from labkit.cache.engines.engine_throughput import Rate
from labkit.cache.engines.failover_survival import Survival
from labkit.cache.engines.memcached_sharding import NodeLoss
from labkit.cache.engines.redis_persistence import BackupRestore, CrashTrial


def _gain(rates: list[Rate], engine: str) -> str:
    mine = sorted((r for r in rates if r.engine == engine), key=lambda r: r.threads)
    if not mine:
        raise ValueError(f"no throughput measured for {engine}")
    best = max(mine, key=lambda r: r.per_second)
    return (f"{mine[0].per_second:,.0f} ops/s with 1 client thread, best {best.per_second:,.0f} "
            f"with {best.threads} (x{best.per_second / mine[0].per_second:.1f})")


def _order(run: BoardRun, expected: list[tuple[str, int]]) -> str:
    return "correct" if run.matches(expected) else "WRONG"


NOT_MEASURED = "not measured: the step that measures it controls a server, and was skipped above"


def _failover(survival: Survival) -> tuple[str, str]:
    return (f"{survival.old_primary} killed; Sentinel made {survival.new_primary} primary in "
            f"{survival.seconds_to_new_primary:.1f} s",
            f"{survival.survived} of {survival.written} keys read back from the promoted replica "
            f"(WAIT confirmed {survival.replicas_acked} replica); read scaling not measured here")


def _durability(crashes: list[CrashTrial]) -> str:
    none = next(t for t in crashes if not t.appendonly)
    aof = [t for t in crashes if t.appendonly]
    return ("after kill -9: " + ", ".join(f"{t.survived} of {t.written} keys back with {t.label}" for t in aof)
            + f"; {none.survived} of {none.written} with {none.label}. A process crash only: see below")


def _backup(backup: BackupRestore) -> str:
    return (f"RDB snapshot restored into a new node: {backup.restored} of {backup.in_backup} keys; "
            f"{backup.later_found} of {backup.after_backup} written after the snapshot")


def _node_loss(loss: NodeLoss) -> tuple[str, str, str]:
    during = next(r for phase, r in loss.hit_ratio.items() if phase.endswith("stopped"))
    survivors = [n for n in loss.placed if n != loss.lost]
    moved = sum(c.total() - c[n] for n, c in loss.moved.items() if n in survivors)
    nodes = " / ".join(f"{loss.placed[n]} on {n}" for n in loss.placed)
    return (f"{loss.loaded} keys: {nodes}",
            f"{during:.0%} of reads hit while {loss.lost} was down; {moved} of the other nodes' keys "
            f"moved when the client dropped it",
            f"{loss.kept_after_restart} of {loss.placed[loss.lost]} keys still on {loss.lost} after its restart")


def claims(boards: list[BoardRun], expected: list[tuple[str, int]], loss: NodeLoss | None,
           survival: Survival | None, crashes: list[CrashTrial] | None, backup: BackupRestore | None,
           rates: list[Rate]) -> list[tuple[str, str, str]]:
    """(engine, what the notes say, what this run measured) for each line of the notes; a result
    is None where its step controls a server labkit did not start, and was skipped."""
    redis_board, mc_board = boards
    failover = _failover(survival) if survival else (NOT_MEASURED,) * 2
    sharding, no_replication, non_persistent = _node_loss(loss) if loss else (NOT_MEASURED,) * 3
    return [
        ("Redis", "Multi AZ with Auto-Failover", failover[0]),
        ("Redis", "Read Replicas to scale reads and have high availability", failover[1]),
        ("Redis", "Data Durability using AOF persistence", _durability(crashes) if crashes else NOT_MEASURED),
        ("Redis", "Backup and restore features", _backup(backup) if backup else NOT_MEASURED),
        ("Redis", "Supports Sets and Sorted Sets",
         f"leaderboard of {redis_board.events} events from {redis_board.threads} threads: order "
         f"{_order(redis_board, expected)}, {redis_board.round_trips} commands, no retries. Memcached: order "
         f"{_order(mc_board, expected)}, {mc_board.round_trips} round trips, {mc_board.retries} cas retries"),
        ("Memcached", "Multi-node for partitioning of data (Sharding)", sharding),
        ("Memcached", "No high availability (replication)", no_replication),
        ("Memcached", "Non Persistent", non_persistent),
        ("Memcached", "No Backup and restore",
         "not measured: memcached has no snapshot command (ElastiCache adds snapshots for Serverless "
         "Memcached only)"),
        ("Memcached", "Multi-threaded architecture",
         f"Memcached: {_gain(rates, 'Memcached')}; Redis: {_gain(rates, 'Redis')}"),
    ]


def claims_table(rows: list[tuple[str, str, str]]) -> str:
    return tables.markdown(["engine", "the notes say", "measured in this run"], rows, align="lll")
