"""What every daemon of the local cloud has in common: ports, start, readiness, stop."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from labkit import paths, ports, procs
from labkit.endpoints import ENDPOINTS, Endpoint, ServiceUnavailable


@dataclass
class Daemon:
    """One long-running server process. Subclasses say how to configure, run and probe it."""

    name: str
    binds: tuple[str, ...] = ()          # endpoint names this daemon listens on
    after: tuple[str, ...] = ()          # daemons that must be ready before this one starts
    stop_timeout: float = 5.0
    optional: bool = False               # started by a lab on demand, not by `up`

    @property
    def endpoints(self) -> list[Endpoint]:
        return [ENDPOINTS[n] for n in self.binds]

    @property
    def folder(self) -> Path:
        """This daemon's own folder in the state folder (configs, data)."""
        return paths.sub(self.name)

    def prepare(self) -> None:
        """Write configuration and initialise data; must be safe to run again."""

    def argv(self) -> list[str]:
        raise NotImplementedError

    def ready(self) -> bool:
        raise NotImplementedError

    def leftovers(self) -> None:
        """Stop what a crashed run of this daemon may have left behind (none by default)."""

    def running(self) -> bool:
        return procs.running(self.name) is not None

    def check_ports(self) -> None:
        for ep in self.endpoints:
            ports.ensure_free(ep)

    def start(self) -> None:
        self.leftovers()
        self.check_ports()
        self.prepare()
        procs.spawn(self.name, self.argv(), cwd=self.folder)

    def stop(self) -> None:
        procs.stop(self.name, self.stop_timeout)
        self.leftovers()

    def wait_started(self, timeout: float) -> None:
        """Wait until this daemon, just started, is ready; fail, naming its log, if it exits
        first or is not ready in time."""
        procs.wait_answering(self.name, self.ready, timeout)

    def wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ready():
                return True
            if not self.running():
                return False
            time.sleep(0.1)
        return self.ready()


def accepts(endpoint: str) -> bool:
    """Whether something accepts TCP connections at ``endpoint`` right now."""
    try:
        ENDPOINTS[endpoint].check(timeout=0.5)
        return True
    except ServiceUnavailable:
        return False


def http_json(url: str, timeout: float = 0.5) -> tuple[int, dict]:
    """GET ``url``: (status, JSON body) — (0, {}) when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        body = err.read()
        return err.code, json.loads(body) if body.startswith(b"{") else {}
    except (OSError, ValueError):
        return 0, {}
