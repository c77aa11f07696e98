"""The security labs' certificate authorities and wire relay."""
import socket
import ssl
import threading

from cryptography import x509

from labkit.security import certs, relay


def test_an_authority_issues_certificates_for_the_names_asked(state_home):
    ca = certs.Authority("test_ca")
    issued = ca.issue("server_other", ("db.other.example",))
    cert = x509.load_pem_x509_certificate(issued.cert.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["db.other.example"]
    context = ssl.create_default_context(cafile=str(ca.pem))
    assert context.cert_store_stats()["x509_ca"] == 1


def test_a_bundle_holds_every_authority(state_home):
    old, new = certs.Authority("old_ca"), certs.Authority("new_ca")
    path = certs.bundle("both", old, new)
    assert path.read_bytes().count(b"BEGIN CERTIFICATE") == 2


def _echo_server() -> tuple[str, int]:
    server = socket.create_server(("127.0.0.1", 0))

    def serve():
        conn, _ = server.accept()
        with conn:
            conn.sendall(conn.recv(1024).upper())
    threading.Thread(target=serve, daemon=True).start()
    return server.getsockname()[:2]


def test_the_relay_forwards_and_keeps_both_directions(state_home, monkeypatch, closed_port):
    monkeypatch.setenv("LABKIT_WIRE_RELAY", f"127.0.0.1:{closed_port}")
    with relay.WireTap(_echo_server()) as tap:
        with socket.create_connection(tap.address, timeout=5) as client:
            client.sendall(b"select secret")
            assert client.recv(1024) == b"SELECT SECRET"
    assert bytes(tap.to_server) == b"select secret"
    assert bytes(tap.to_client) == b"SELECT SECRET"


def test_a_closed_relay_frees_its_port_at_once(state_home, monkeypatch, closed_port):
    monkeypatch.setenv("LABKIT_WIRE_RELAY", f"127.0.0.1:{closed_port}")
    tap = relay.WireTap(("127.0.0.1", 9))
    relay.close_all()
    socket.create_server(tap.address).close()  # would raise "Address already in use"


def test_readable_keeps_only_long_printable_runs():
    assert relay.readable(b"\x00\x01SELECT 1\x00ab\xffcard 4111") == ["SELECT 1", "card 4111"]
