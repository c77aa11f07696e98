"""The process manager: daemons outlive their starter, stop cleanly, and leave no orphan."""
import os
import signal
import textwrap
import time

import psutil

from labkit import paths, poll, procs


def _wait(predicate, what, timeout=10.0):
    poll.until(predicate, timeout, what, interval=0.05)


def _gone(pid: int) -> bool:
    """Exited: no such process, or a zombie its parent (this test, for a supervisor) has not reaped."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_spawn_runs_as_the_daemon_account_and_stop_ends_it(state_home):
    procs.spawn("sleeper", ["sleep", "60"])
    _wait(lambda: procs.child_pid_file("sleeper").exists(), "the sleeper's child pid file")
    supervisor = procs.running("sleeper")
    child = psutil.Process(int(procs.child_pid_file("sleeper").read_text()))
    if os.geteuid() == 0:
        assert child.uids().real != 0, "daemons must not run as root"
    procs.stop("sleeper", timeout=5)
    assert procs.running("sleeper") is None
    _wait(lambda: _gone(child.pid), "the child to exit")
    _wait(lambda: _gone(supervisor.pid), "the supervisor to exit")


def test_a_daemon_whose_supervisor_was_killed_is_still_stopped(state_home):
    procs.spawn("orphaned", ["sleep", "60"])
    _wait(lambda: procs.child_pid_file("orphaned").exists(), "the child pid file")
    child_pid = int(procs.child_pid_file("orphaned").read_text())
    procs.running("orphaned").kill()
    _wait(lambda: procs.running("orphaned") is None, "the killed supervisor to be gone")
    assert psutil.pid_exists(child_pid)
    procs.stop("orphaned", timeout=5)
    _wait(lambda: _gone(child_pid), "the orphaned child to exit")


def test_a_stale_pid_file_does_not_name_a_newer_process(state_home):
    procs.pid_file("ghost").write_text(str(os.getpid()))
    old = time.time() - 3600
    os.utime(procs.pid_file("ghost"), (old, old))
    assert procs.running("ghost") is None  # this test process started after the file was written


DOUBLE_FORK = textwrap.dedent("""
    import os, sys, time
    if os.fork() == 0:          # like Patroni starting postgres: the server's parent exits at once
        os.setsid()
        if os.fork() == 0:
            with open(sys.argv[1], "w") as out:
                out.write(str(os.getpid()))
            time.sleep(60)
        os._exit(0)
    time.sleep(60)
""")


def test_the_supervisor_reaps_a_killed_grandchild(state_home):
    """A killed postmaster must disappear, not linger as a zombie that Patroni thinks is alive."""
    pid_out = paths.sub("forker") / "grandchild.pid"  # a folder the daemon account may write to
    procs.spawn("forker", ["/usr/bin/python3", "-c", DOUBLE_FORK, str(pid_out)])
    _wait(lambda: pid_out.exists() and pid_out.read_text(), "the grandchild's pid")
    grandchild = int(pid_out.read_text())
    _wait(lambda: psutil.Process(grandchild).ppid() == procs.running("forker").pid,
          "the supervisor (child subreaper) to adopt the orphaned grandchild")
    os.kill(grandchild, signal.SIGKILL)
    _wait(lambda: not psutil.pid_exists(grandchild), "the killed grandchild to be reaped, not left a zombie", timeout=3)
    procs.stop("forker", timeout=5)


def test_kill_child_crashes_the_server_and_its_supervisor_exits_with_it(state_home):
    procs.spawn("crashing", ["sleep", "60"])
    _wait(lambda: procs.child_pid_file("crashing").exists(), "the child pid file")
    pid = procs.kill_child("crashing")
    _wait(lambda: _gone(pid), "the killed server to exit")
    _wait(lambda: procs.running("crashing") is None, "its supervisor to exit with it")
    procs.stop("crashing")
