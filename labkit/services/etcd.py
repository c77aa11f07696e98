"""etcd: the consistent store Patroni uses to agree on which PostgreSQL node is the writer."""
from __future__ import annotations

from labkit import binaries
from labkit.endpoints import ENDPOINTS
from labkit.services.base import Daemon, http_json


class Etcd(Daemon):
    def argv(self) -> list[str]:
        client, peer = ENDPOINTS["etcd"].bound_port, ENDPOINTS["etcd-peer"].bound_port
        return [
            binaries.find("etcd"), "--name", "labkit", "--data-dir", str(self.folder / "data"),
            "--listen-client-urls", f"http://127.0.0.1:{client}",
            "--advertise-client-urls", f"http://127.0.0.1:{client}",
            "--listen-peer-urls", f"http://127.0.0.1:{peer}",
            "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
            "--initial-cluster", f"labkit=http://127.0.0.1:{peer}",
            "--log-level", "warn",
        ]

    def ready(self) -> bool:
        status, body = http_json(f"http://127.0.0.1:{ENDPOINTS['etcd'].bound_port}/health")
        return status == 200 and body.get("health") == "true"


DAEMONS = [Etcd("etcd", binds=("etcd", "etcd-peer"))]
