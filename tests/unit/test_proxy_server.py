"""Reading what clients cost the writer from its processes."""
import os

import psutil
import pytest

from labkit.proxy import server


@pytest.mark.parametrize("title, client", [
    ("postgres: aurora-pg: lab lab 127.0.0.1(50312) idle", True),
    ("postgres: aurora-pg: lab lab 127.0.0.1(50312) authentication", True),
    ("/usr/lib/postgresql/15/bin/postgres -D /data --port=15441", True),  # just forked
    ("postgres: aurora-pg: checkpointer ", False),
    ("postgres: aurora-pg: walsender replicator 127.0.0.1(40000) streaming 0/3000148", False),
    ("postgres: aurora-pg: postgres postgres 127.0.0.1(48034) idle", False),  # the failover agent
    ("postgres: aurora-pg: autovacuum launcher ", False),
])
def test_only_backends_that_serve_clients_count(title, client):
    assert server.is_client_backend(title) is client


def test_cpu_seconds_grow_with_work_and_include_children():
    me = psutil.Process(os.getpid())
    before = server.cpu_seconds(me)
    sum(i * i for i in range(300_000))
    assert server.cpu_seconds(me) >= before
    alone = server.cpu_seconds(me)  # read first: the process's own time only grows
    assert server.cpu_seconds(me, with_children=True) >= alone


def test_a_watch_reports_what_it_saw_during_the_block(monkeypatch):
    counts = iter([5, 8])
    monkeypatch.setattr(server, "sessions_started", lambda: next(counts))
    me = psutil.Process(os.getpid())
    with server.Watch(postmaster=me, proxy=me) as watch:
        sum(i * i for i in range(100_000))
    use = watch.use
    assert use.sessions == 3
    assert use.server_cpu_s >= 0 and use.proxy_cpu_s >= 0
    assert use.peak_backends >= 0
    assert use.peak_backend_bytes != use.peak_backend_bytes or use.peak_backend_bytes >= 0  # NaN when none read
