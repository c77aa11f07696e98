"""The read-your-write harness calls the lab's write, its optional wait and its read, in that order,
and counts the reads that missed the row (fakes: no servers)."""
from labkit.aurora import lag


class FakeConnection:
    def __init__(self, log: list, name: str):
        self.log, self.name = log, name

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def rollback(self):
        self.log.append(f"{self.name} rollback")


class FakeEngine:
    def __init__(self, log: list, name: str):
        self.log, self.name = log, name

    def connect(self):
        return FakeConnection(self.log, self.name)


def test_a_read_that_misses_the_row_is_counted_and_each_read_ends_its_snapshot():
    log: list = []
    ids = iter(range(1, 100))

    def write(conn):
        row_id = next(ids)
        log.append(f"write {row_id}")
        return row_id

    def read(conn, row_id):
        log.append(f"read {row_id} on {conn.name}")
        return row_id % 3 != 0  # every third row has not arrived yet

    missing = lag.read_your_write(FakeEngine(log, "writer"), FakeEngine(log, "reader"), write, read, trials=6)
    assert missing == 2
    assert log[:3] == ["write 1", "read 1 on reader", "reader rollback"]


def test_the_wait_runs_between_the_write_and_the_read_with_both_connections():
    log: list = []

    def wait(wconn, rconn):
        log.append(f"wait {wconn.name} {rconn.name}")

    missing = lag.read_your_write(FakeEngine(log, "writer"), FakeEngine(log, "reader"),
                                  write=lambda conn: log.append("write") or 7,
                                  read=lambda conn, row_id: log.append(f"read {row_id}") or True,
                                  trials=2, wait_for_replay=wait)
    assert missing == 0
    assert log == ["write", "wait writer reader", "read 7", "reader rollback"] * 2
