"""Two instances of the session-store web application, each its own gunicorn process.

They share nothing but Redis: what one instance knows about a user, the other can only learn
from the session store. Each runs as a supervised process named after its endpoint
(``web-app1``, ``web-app2``), with its log in the state folder.
"""
from __future__ import annotations

import sys
from urllib.parse import quote

from labkit import credentials, external, ports, procs
from labkit.cache import clients
from labkit.cache.sessions.browser import Browser
from labkit.cache.sessions.webapp import AppSettings
from labkit.endpoints import ENDPOINTS
from labkit.services.redis import MASTER_NAME, NODES, SENTINELS

INSTANCES = ("web-app1", "web-app2")


def url(instance: str, path: str = "/") -> str:
    """``http://host:port/path`` of one instance (its LABKIT_WEB_APPn variable moves it)."""
    if instance not in INSTANCES:
        raise KeyError(f"{instance!r} is not an app instance; use one of {', '.join(INSTANCES)}")
    host, port = ENDPOINTS[instance].address
    return f"http://{host}:{port}{path}"


def settings_for(instance: str, lifetime_s: int, key_prefix: str) -> AppSettings:
    """What ``instance`` is told: its name, the session settings, where the Sentinels are and the
    Redis login, or, for a Redis labkit did not start, the URL of its primary endpoint with the
    course's login."""
    if external.is_external("redis-primary"):
        return AppSettings(instance=instance, lifetime_s=lifetime_s, key_prefix=key_prefix,
                           redis_url=primary_url())
    login = clients.login(NODES[0])
    return AppSettings(instance=instance, lifetime_s=lifetime_s, key_prefix=key_prefix,
                       sentinels=tuple(ENDPOINTS[s].address for s in SENTINELS), master=MASTER_NAME,
                       redis_user=login["username"] or "", redis_password=login["password"] or "")


def primary_url() -> str:
    """``redis[s]://[user:password@]host:port`` of the primary endpoint, with the LABKIT_REDIS_* login."""
    login = credentials.redis()
    user, password = (quote(str(login.get(k, "")), safe="") for k in ("username", "password"))
    host, port = ENDPOINTS["redis-primary"].address
    at = f"{user}:{password}@" if password else ""
    return f"{'rediss' if login.get('ssl') else 'redis'}://{at}{host}:{port}"


def gunicorn_argv(instance: str) -> list[str]:
    """One worker with a few threads; no control socket (two instances must not share one)."""
    host, port = ENDPOINTS[instance].address
    return [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}",
            "--workers", "1", "--threads", "4", "--graceful-timeout", "2",
            "--no-control-socket", "--access-logfile", "-",
            "labkit.cache.sessions.webapp:create_app()"]


def start(lifetime_s: int, key_prefix: str, timeout: float = 20.0) -> None:
    """(Re)start both instances with these session settings and wait until both answer."""
    stop()
    for instance in INSTANCES:
        ports.ensure_free(ENDPOINTS[instance])  # names LABKIT_WEB_APPn if something else holds it
    for instance in INSTANCES:
        settings = settings_for(instance, lifetime_s, key_prefix)
        # An application server needs no account of its own: it runs as the learner, from the
        # course's Python (the daemon account may not be able to read a Python under /root).
        procs.spawn(instance, gunicorn_argv(instance), env=settings.as_env(), as_caller=True)
    for instance in INSTANCES:
        wait_ready(instance, timeout)


def wait_ready(instance: str, timeout: float) -> None:
    """Wait until ``instance`` answers /health; fail with its log's path if it dies or hangs."""
    probe = Browser(timeout=1.0)
    procs.wait_answering(instance, lambda: probe.get(url(instance, "/health")).status == 200, timeout)


def stop() -> None:
    """Stop both instances (a no-op for those not running)."""
    for instance in INSTANCES:
        procs.stop(instance)


def pids() -> dict[str, int]:
    """The process id each instance reports: two instances, two processes."""
    probe = Browser(timeout=2.0)
    return {instance: probe.get(url(instance, "/health")).body.get("pid") for instance in INSTANCES}
