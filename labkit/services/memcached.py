"""Two memcached nodes: ElastiCache for Memcached, sharded by the client."""
from __future__ import annotations

from pymemcache.client.base import Client

from labkit import binaries
from labkit.endpoints import ENDPOINTS
from labkit.services.base import Daemon

MEMORY_MB = 64


class Memcached(Daemon):
    def argv(self) -> list[str]:
        ep = ENDPOINTS[self.name]
        return [binaries.find("memcached"), "-l", "127.0.0.1", "-p", str(ep.bound_port), "-U", "0",
                "-m", str(MEMORY_MB), "-t", "2"]

    def ready(self) -> bool:
        try:
            client = Client(ENDPOINTS[self.name].address, connect_timeout=0.5, timeout=0.5)
            client.version()
            client.close()
            return True
        except OSError:
            return False


DAEMONS = [Memcached(n, binds=(n,)) for n in ("memcached1", "memcached2")]
