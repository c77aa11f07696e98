"""up is idempotent and repairs what was killed; down leaves nothing behind; ports are checked."""
import os
import socket
import time

import psutil
import pytest

from labkit import cloud, cluster, paths, ports, procs, status
from labkit.endpoints import ENDPOINTS
from labkit.services import BY_NAME


def _quiet(*_):
    return None


def _kill_9(name: str) -> None:
    """kill -9 a daemon and its supervisor, and wait until both are really gone."""
    victims = [procs.running(name), psutil.Process(int(procs.child_pid_file(name).read_text()))]
    for proc in victims:
        proc.kill()
    deadline = time.monotonic() + 5
    while any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in victims):
        assert time.monotonic() < deadline, f"{name} survived kill -9"
        time.sleep(0.02)


def test_up_twice_starts_nothing_the_second_time():
    assert cloud.up(echo=_quiet) == []


def test_up_brings_back_daemons_killed_with_sigkill():
    victims = ["memcached1", "redis-sentinel2", "pgbouncer"]
    for name in victims:
        _kill_9(name)
    assert sorted(cloud.up(echo=_quiet)) == sorted(victims)
    status.wait_healthy(30)


def test_up_restarts_a_patroni_agent_killed_with_sigkill_and_stops_its_orphan_postgres():
    replica = next(m.name for m in cluster.topology() if m.role == "reader")
    daemon = BY_NAME[replica]
    _kill_9(replica)
    orphan = procs.postmaster_pid(daemon.data_dir)
    assert orphan is not None, "PostgreSQL should outlive its killed Patroni agent"
    assert cloud.up(echo=_quiet) == [replica]
    assert not psutil.pid_exists(orphan) or psutil.Process(orphan).status() == psutil.STATUS_ZOMBIE
    cluster.wait_healthy(60)


def test_a_port_held_by_a_stranger_stops_up_with_a_clear_message():
    BY_NAME["memcached2"].stop()
    port = ENDPOINTS["memcached2"].bound_port
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        with pytest.raises(ports.PortTaken, match=rf"port {port} for memcached2 .* LABKIT_MEMCACHED2="):
            cloud.up(echo=_quiet)
    assert cloud.up(echo=_quiet) == ["memcached2"]


def _processes_of_this_cloud() -> list[dict]:
    """Live processes started in, or naming, this cloud's state folder (other clouds may run beside it)."""
    state = str(paths.state_dir())
    found = []
    for proc in psutil.process_iter(["pid", "name", "cmdline", "cwd", "status"]):
        if proc.info["status"] == psutil.STATUS_ZOMBIE or proc.pid == os.getpid():
            continue
        if (proc.info["cwd"] or "").startswith(state) or any(state in a for a in proc.info["cmdline"] or ()):
            found.append(proc.info)
    return found


def test_down_leaves_no_process_and_up_starts_again_from_stopped():
    cloud.down(echo=_quiet)
    assert _processes_of_this_cloud() == []
    assert not any(procs.running(d) for d in BY_NAME)
    assert all(ports.is_free("127.0.0.1", e.bound_port) for e in ENDPOINTS.values()), "a port is still held"
    assert len(cloud.up(echo=_quiet)) == len([d for d in BY_NAME.values() if not d.optional])
    cluster.wait_healthy(60)
    status.wait_healthy(30)
