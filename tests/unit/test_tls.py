import ipaddress
import stat

from cryptography import x509

from labkit import tls


def test_the_ca_signs_a_certificate_for_localhost(state_home):
    files = tls.ensure()
    ca = x509.load_pem_x509_certificate(files["ca"].read_bytes())
    cert = x509.load_pem_x509_certificate(files["cert"].read_bytes())
    cert.verify_directly_issued_by(ca)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("127.0.0.1") in names.get_values_for_type(x509.IPAddress)
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert stat.S_IMODE(files["key"].stat().st_mode) == 0o600  # PostgreSQL refuses a readable key


def test_existing_certificates_are_kept(state_home):
    first = tls.ensure()["cert"].read_bytes()
    assert tls.ensure()["cert"].read_bytes() == first
