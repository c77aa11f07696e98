"""A private certificate authority for the local cloud, so TLS is on as it is on Aurora.

Aurora clients verify the server against the AWS root certificates; here they verify it against
``.labs/tls/ca.pem``, which labkit makes once with the ``cryptography`` package.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from labkit import accounts, paths

VALID_FOR = dt.timedelta(days=825)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "labkit local cloud"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


LOCAL_NAMES = ("localhost", "127.0.0.1")


def _alt_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _build(subject: str, issuer_name: x509.Name, issuer_key, public_key, ca: bool,
           names: tuple[str, ...] = LOCAL_NAMES) -> x509.Certificate:
    now = dt.datetime.now(dt.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject)).issuer_name(issuer_name).public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + VALID_FOR)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName([_alt_name(n) for n in names]),
                                        critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def files() -> dict[str, Path]:
    folder = paths.sub("tls")
    return {"ca": folder / "ca.pem", "cert": folder / "server.pem", "key": folder / "server.key"}


def ensure() -> dict[str, Path]:
    """Create the CA and a server certificate for 127.0.0.1/localhost unless they exist."""
    out = files()
    if all(p.exists() for p in out.values()):
        return out
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_cert = _build("labkit local CA", _name("labkit local CA"), ca_key, ca_key.public_key(), ca=True)
    cert = _build("localhost", ca_cert.subject, ca_key, key.public_key(), ca=False)
    out["ca"].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    out["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    out["key"].write_bytes(_pem_key(key))
    accounts.give(out["ca"], 0o644)
    accounts.give(out["cert"], 0o644)
    accounts.give(out["key"], 0o600)
    return out
