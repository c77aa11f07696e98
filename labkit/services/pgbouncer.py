"""PgBouncer in transaction-pooling mode in front of the writer endpoint: the RDS Proxy stand-in.

``server_login_retry`` defaults to 15 s, which would dominate failover time through the proxy;
1 s lets it reconnect to the new writer about as soon as HAProxy routes there.
"""
from __future__ import annotations


from labkit import accounts, binaries, credentials
from labkit.endpoints import ENDPOINTS
from labkit.services.base import Daemon, accepts


SECRETS = "secrets.ini"  # databases whose server login the proxy keeps secret from clients; empty at start


def session_database(database: str) -> str:
    """The name under which the proxy serves ``database`` in session mode: a client keeps one
    server connection for its whole session, as RDS Proxy does for a pinned client."""
    return f"{database}_session"


def config_text(folder) -> str:
    writer_host, writer_port = ENDPOINTS["pg-writer"].address
    database = credentials.pg().database
    return f"""\
[databases]
{session_database(database)} = host={writer_host} port={writer_port} dbname={database} pool_mode=session
* = host={writer_host} port={writer_port}
%include {folder}/{SECRETS}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {ENDPOINTS['pg-proxy'].bound_port}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = {folder}/userlist.txt
admin_users = {credentials.pg().user}
stats_users = {credentials.pg().user}
pool_mode = transaction
max_client_conn = 2000
default_pool_size = 20
server_login_retry = 1
server_connect_timeout = 3
server_check_delay = 0
"""


class PgBouncer(Daemon):
    def prepare(self) -> None:
        login = credentials.pg()
        accounts.write(self.folder / "userlist.txt", f'"{login.user}" "{login.password}"\n', 0o600)
        accounts.write(self.folder / SECRETS, "", 0o600)
        accounts.write(self.folder / "pgbouncer.ini", config_text(self.folder), 0o600)

    def argv(self) -> list[str]:
        return [binaries.find("pgbouncer"), str(self.folder / "pgbouncer.ini")]

    def ready(self) -> bool:
        return accepts("pg-proxy")


DAEMONS = [PgBouncer("pgbouncer", binds=("pg-proxy",))]
