"""A MariaDB of the security labs' own, on the ``secure-mysql`` endpoint: TLS required
(``require_secure_transport``, as Aurora MySQL's parameter of that name), with a certificate the
lab chooses and swaps. Started empty, stopped and deleted by the lab; the shared pair is not touched."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from labkit import accounts
from labkit.security import own_servers
from labkit.security.certs import Issued
from labkit.services.mariadb import MariaDB

NAME = "secure-mysql"


@dataclass
class SecureMariaDB(MariaDB):
    """The course's MariaDB settings, no binary log, and TLS required with the certificate in
    its folder (``present`` swaps it)."""
    ca: Path | None = None

    @property
    def cert_files(self) -> Issued:
        return Issued(self.folder / "server-cert.pem", self.folder / "server-key.pem")

    def _config(self) -> str:
        return super()._config() + (f"ssl-ca = {self.ca}\nssl-cert = {self.cert_files.cert}\n"
                                    f"ssl-key = {self.cert_files.key}\nrequire-secure-transport = ON\n")

    def argv(self) -> list[str]:
        return [*super().argv(), "--skip-log-bin"]

    def present(self, cert: Issued, reload: bool = True) -> None:
        """Serve ``cert`` to new connections (``FLUSH SSL`` rereads the files, no restart)."""
        for source, target in ((cert.cert, self.cert_files.cert), (cert.key, self.cert_files.key)):
            shutil.copyfile(source, target)
            accounts.give(target, 0o600)
        if reload:
            with self.root() as conn, conn.cursor() as cur:
                cur.execute("FLUSH SSL")


def start(cert: Issued, ca: Path, timeout: float = 60.0) -> SecureMariaDB:
    """A fresh, empty server serving ``cert``; labkit logs in as root over its socket (``root()``)."""
    own_servers.announce()
    stop()
    server = SecureMariaDB(NAME, binds=(NAME,), ca=ca)
    server.folder.mkdir(parents=True, exist_ok=True)
    server.present(cert, reload=False)
    server.start()
    server.wait_started(timeout)
    return server


def stop() -> None:
    server = SecureMariaDB(NAME, binds=(NAME,))
    server.stop()
    if server.folder.exists():
        shutil.rmtree(server.folder)
