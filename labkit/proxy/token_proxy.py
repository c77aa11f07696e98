"""A second PgBouncer, on ``pg-proxy-iam``, that lets clients in with IAM-style tokens only, as an
RDS Proxy that requires IAM authentication does, while it logs in to the database with its secret.

``auth_type = pam``: PgBouncer asks the client for its password in clear text (inside TLS, which
this proxy requires) and hands it to the PAM service named ``pgbouncer`` (a name PgBouncer fixes),
whose one step runs the security part's token check (labkit.security.pam, iam_token). PgBouncer
1.18 applies pam to every client of a process, and not together with ``auth_user``, so the token
proxy is a process of its own beside the password proxy. Its only database is the alias that the
proxy's secret (labkit.proxy.secret) defines, with the role and password the secret holds: the
client's user name only has to match its token; it needs no role in the database.
"""
from __future__ import annotations

from labkit import accounts, binaries, paths, procs, tls
from labkit.endpoints import ENDPOINTS, ServiceUnavailable
from labkit.proxy import secret
from labkit.security import pam

NAME = "pg-proxy-iam"
PAM_SERVICE = "pgbouncer"  # the service name PgBouncer gives PAM, fixed in its source


def folder():
    return paths.sub(NAME)


def config_text() -> str:
    certs = tls.files()
    return f"""\
[databases]
%include {secret.secret_file()}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {ENDPOINTS[NAME].bound_port}
unix_socket_dir =
auth_type = pam
client_tls_sslmode = require
client_tls_cert_file = {certs['cert']}
client_tls_key_file = {certs['key']}
pool_mode = transaction
default_pool_size = 5
max_client_conn = 100
server_login_retry = 1
"""


def start(keys: dict[str, dict], timeout: float = 15.0) -> bool:
    """Install the token check for tokens naming this proxy's address, with ``keys`` (the local
    IAM policy), and start the proxy. Returns False, having printed the command a root user would
    run, when the PAM service cannot be written."""
    procs.stop(NAME)
    host, port = ENDPOINTS[NAME].address
    if not pam.install(f"{host}:{port}", keys, service=PAM_SERVICE):
        return False
    accounts.write(folder() / "pgbouncer.ini", config_text(), 0o600)
    procs.spawn(NAME, [binaries.find("pgbouncer"), str(folder() / "pgbouncer.ini")], cwd=folder())
    return procs.wait_answering(NAME, lambda: ENDPOINTS[NAME].check(timeout=0.5) or True, timeout,
                               retry_on=(ServiceUnavailable,))


def stop() -> None:
    """Stop the token proxy and remove its PAM service and token check."""
    procs.stop(NAME)
    pam.remove(service=PAM_SERVICE)
