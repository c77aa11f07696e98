"""Certificate authorities of the security labs' own, made on the spot.

The course's CA (labkit.tls) is trusted by every lab; these are throwaway ones, so a lab can show
a certificate from an untrusted CA, a certificate for the wrong host name and a CA rotation
without touching it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from labkit import accounts, paths, tls


def folder() -> Path:
    return paths.sub("security-certs")


@dataclass(frozen=True)
class Issued:
    """A server certificate and its key, as files the database server can read."""
    cert: Path
    key: Path


class Authority:
    """A private CA: its certificate file is what a client puts in ``sslrootcert``."""

    def __init__(self, name: str):
        self.name = name
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._cert = tls._build(name, tls._name(name), self._key, self._key.public_key(), ca=True)
        self.pem = folder() / f"{name}.pem"
        self.pem.write_bytes(self._cert.public_bytes(serialization.Encoding.PEM))
        accounts.give(self.pem, 0o644)

    def issue(self, label: str, names: tuple[str, ...] = tls.LOCAL_NAMES) -> Issued:
        """A server certificate for host ``names``, signed by this CA, written as ``label``.pem/.key."""
        key = ec.generate_private_key(ec.SECP256R1())
        cert = tls._build(names[0], self._cert.subject, self._key, key.public_key(), ca=False, names=names)
        out = Issued(folder() / f"{label}.pem", folder() / f"{label}.key")
        out.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        out.key.write_bytes(tls._pem_key(key))
        accounts.give(out.cert, 0o644)
        accounts.give(out.key, 0o600)
        return out


def bundle(name: str, *authorities: Authority) -> Path:
    """One file holding several CA certificates, as AWS's global-bundle.pem holds every RDS CA."""
    path = folder() / f"{name}.pem"
    path.write_bytes(b"".join(a.pem.read_bytes() for a in authorities))
    return accounts.give(path, 0o644)
