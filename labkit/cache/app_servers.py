"""Two instances of the session-store web application, each its own gunicorn process.

They share nothing but Redis: what one instance knows about a user, the other can only learn
from the session store. Each runs as a supervised daemon named after its endpoint
(``web-app1``, ``web-app2``), with its log in the state folder.
"""
from __future__ import annotations

import fcntl
import hashlib
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

from labkit import accounts, ports, procs
from labkit.cache.browser import Browser
from labkit.cache.webapp import AppSettings
from labkit.endpoints import ENDPOINTS, ServiceUnavailable
from labkit.services.redis import MASTER_NAME, SENTINELS

INSTANCES = ("web-app1", "web-app2")
APP_PACKAGES = ("Flask", "Flask-Session", "gunicorn", "redis")  # all the app imports


def url(instance: str, path: str = "/") -> str:
    """``http://host:port/path`` of one instance (its LABKIT_WEB_APPn variable moves it)."""
    if instance not in INSTANCES:
        raise KeyError(f"{instance!r} is not an app instance; use one of {', '.join(INSTANCES)}")
    host, port = ENDPOINTS[instance].address
    return f"http://{host}:{port}{path}"


def app_requirements() -> list[str]:
    """The app's packages pinned to the versions this course's environment has."""
    return [f"{name}=={metadata.version(name)}" for name in APP_PACKAGES]


def app_python() -> str:
    """A Python with the app's packages that the account running the daemons can execute.

    Normally the course's own. As root, daemons run as an unprivileged account that may be
    unable to read the course's Python (one under /root), so the app gets a small environment
    of its own under /var/tmp, made with the system Python once per set of versions and shared
    by every local cloud on this machine (a file lock keeps parallel runs from racing).
    """
    if not accounts.switching_user():
        return sys.executable
    spec = app_requirements()
    venv = Path("/var/tmp") / f"labkit-webapp-{hashlib.sha1(' '.join(spec).encode()).hexdigest()[:10]}"
    python = venv / "bin" / "python"
    with open(f"{venv}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if python.exists():
            return str(python)
        print(f"creating the web app's environment in {venv} (once, about a minute)", flush=True)
        for step in (["/usr/bin/python3", "-m", "venv", str(venv)],
                     [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", *spec]):
            done = subprocess.run(step, capture_output=True, text=True)
            if done.returncode:
                raise RuntimeError(f"{' '.join(step)} failed:\n{done.stderr[-3000:]}")
    return str(python)


def settings_for(instance: str, lifetime_s: int, key_prefix: str) -> AppSettings:
    """What ``instance`` is told: its name, the session settings, where the Sentinels are."""
    return AppSettings(instance=instance, lifetime_s=lifetime_s, key_prefix=key_prefix,
                       sentinels=tuple(ENDPOINTS[s].address for s in SENTINELS), master=MASTER_NAME)


def gunicorn_argv(instance: str, python: str) -> list[str]:
    """One worker with a few threads; no control socket (two instances must not share one)."""
    host, port = ENDPOINTS[instance].address
    return [python, "-m", "gunicorn", "--bind", f"{host}:{port}",
            "--workers", "1", "--threads", "4", "--graceful-timeout", "2",
            "--no-control-socket", "--access-logfile", "-",
            "labkit.cache.webapp:create_app()"]


def start(lifetime_s: int, key_prefix: str, timeout: float = 20.0) -> None:
    """(Re)start both instances with these session settings and wait until both answer."""
    stop()
    for instance in INSTANCES:
        ports.ensure_free(ENDPOINTS[instance])  # names LABKIT_WEB_APPn if something else holds it
    python = app_python()
    for instance in INSTANCES:
        settings = settings_for(instance, lifetime_s, key_prefix)
        procs.spawn(instance, gunicorn_argv(instance, python), env=settings.as_env())
    for instance in INSTANCES:
        wait_ready(instance, timeout)


def wait_ready(instance: str, timeout: float) -> None:
    """Wait until ``instance`` answers /health; fail with its log's path if it dies or hangs."""
    probe = Browser(timeout=1.0)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe.get(url(instance, "/health")).status == 200:
            return
        if procs.running(instance) is None:
            raise ServiceUnavailable(f"{instance} exited while starting; see {procs.log_file(instance)}")
        time.sleep(0.1)
    raise ServiceUnavailable(f"{instance} did not answer within {timeout:.0f} s; "
                             f"see {procs.log_file(instance)}")


def stop() -> None:
    """Stop both instances (a no-op for those not running)."""
    for instance in INSTANCES:
        procs.stop(instance)
