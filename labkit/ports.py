"""Check that a port is free before a daemon binds it, and say who holds it when it is not."""
from __future__ import annotations

import socket

import psutil

from labkit.endpoints import Endpoint


class PortTaken(RuntimeError):
    """A port labkit needs is in use by something that is not part of the local cloud."""


def holder(port: int) -> str:
    """Describe the process listening on ``port`` on this machine, as far as we may see it."""
    try:
        conns = psutil.net_connections(kind="inet")
    except psutil.AccessDenied:
        conns = []
    for conn in conns:
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
            if conn.pid is None:
                return "a process of another user"
            try:
                proc = psutil.Process(conn.pid)
                return f"pid {conn.pid} ({proc.name()}: {' '.join(proc.cmdline()[:4])})"
            except psutil.NoSuchProcess:
                return f"pid {conn.pid}, which has just exited"
    return "an unknown process"


def is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def ensure_free(ep: Endpoint) -> None:
    host, port = ep.address
    if not is_free("127.0.0.1" if host == "localhost" else host, port):
        raise PortTaken(
            f"port {port} for {ep.name} ({ep.aws_role}) is taken by {holder(port)}. "
            f"Stop that process, or move {ep.name} with {ep.env_var}=127.0.0.1:OTHER_PORT (below 32768)."
        )
