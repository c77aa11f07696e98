import pytest

from labkit import db
from labkit.endpoints import Endpoint, ServiceUnavailable, endpoint


def test_an_engine_for_a_stopped_service_names_the_command(monkeypatch, state_home, closed_port):
    monkeypatch.setenv("LABKIT_PG_READER", f"127.0.0.1:{closed_port}")
    with pytest.raises(ServiceUnavailable, match=r"pg-reader .* does not answer .*\./course up.*LABKIT_PG_READER"):
        db.engine("pg-reader")


def test_urls_use_the_drivers_people_use(state_home):
    assert db.url("pg-writer").drivername == "postgresql+psycopg"
    assert db.url("mysql-reader").drivername == "mysql+pymysql"
    with pytest.raises(ValueError, match="not a database endpoint"):
        db.url("redis-node1")


def test_local_postgres_verifies_tls_against_the_course_ca(state_home, monkeypatch):
    monkeypatch.delenv("LABKIT_PG_SSLMODE", raising=False)
    assert db._pg_tls("pg-writer")["sslmode"] == "verify-full"
    monkeypatch.setenv("LABKIT_PG_WRITER", "mycluster.example.com:5432")
    assert db._pg_tls("pg-writer") == {"sslmode": "require"}


def test_a_server_of_someone_else_s_on_this_machine_gets_tls_when_it_offers_it(state_home, monkeypatch):
    monkeypatch.delenv("LABKIT_PG_SSLMODE", raising=False)
    assert db._pg_tls("pg-writer", outside=True) == {"sslmode": "prefer"}
    monkeypatch.setenv("LABKIT_PG_SSLMODE", "require")
    assert db._pg_tls("pg-writer", outside=True) == {"sslmode": "require"}


def test_mysql_tls_is_verified_against_the_ca_the_environment_names(monkeypatch, tmp_path):
    monkeypatch.delenv("LABKIT_MYSQL_SSL_CA", raising=False)
    assert db._mysql_tls() == {}
    bundle = tmp_path / "global-bundle.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("LABKIT_MYSQL_SSL_CA", str(bundle))
    assert db._mysql_tls() == {"ssl_ca": str(bundle), "ssl_verify_cert": True, "ssl_verify_identity": True}


def test_a_known_ca_makes_verification_the_default_on_another_host(state_home, monkeypatch, tmp_path):
    monkeypatch.delenv("LABKIT_PG_SSLMODE", raising=False)
    monkeypatch.setenv("LABKIT_PG_WRITER", "mycluster.example.com:5432")
    bundle = tmp_path / "global-bundle.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("LABKIT_PG_SSLROOTCERT", str(bundle))
    assert db._pg_tls("pg-writer") == {"sslmode": "verify-full", "sslrootcert": str(bundle)}
    assert db.unverified("pg-writer", db._pg_tls("pg-writer")) is None


def test_what_is_not_verified_is_said_and_names_the_variable(state_home, monkeypatch):
    monkeypatch.delenv("LABKIT_PG_SSLMODE", raising=False)
    monkeypatch.delenv("LABKIT_PG_SSLROOTCERT", raising=False)
    monkeypatch.delenv("LABKIT_MYSQL_SSL_CA", raising=False)
    monkeypatch.setenv("LABKIT_PG_WRITER", "mycluster.example.com:5432")
    monkeypatch.setenv("LABKIT_MYSQL_WRITER", "mycluster.example.com:3306")
    assert "LABKIT_PG_SSLROOTCERT" in db.unverified("pg-writer", db._pg_tls("pg-writer"))
    assert "no TLS" in db.unverified("mysql-writer", db._mysql_tls())
    assert db.unverified("pg-reader", db._pg_tls("pg-reader")) is None  # the course's own, verified


def test_a_wrong_ca_path_names_its_variable(monkeypatch):
    monkeypatch.setenv("LABKIT_PG_SSLROOTCERT", "/nowhere/global-bundle.pem")
    with pytest.raises(FileNotFoundError, match="LABKIT_PG_SSLROOTCERT=.*not a file.*global-bundle.pem"):
        db._pg_tls("pg-writer")


def test_the_instance_that_answered_is_named_by_its_port_or_where_ports_are_shared_by_its_address(monkeypatch):
    monkeypatch.setenv("LABKIT_PG_NODE1", "127.0.0.1:20000")
    monkeypatch.setenv("LABKIT_PG_NODE2", "127.0.0.1:20001")
    assert db.node_at(20001, "pg-node") == "pg-node2"
    aurora = {"db-1.abc.eu-west-1.rds.amazonaws.com": "10.0.1.11", "db-2.abc.eu-west-1.rds.amazonaws.com": "10.0.2.12"}
    for i, host in enumerate(aurora, 1):
        monkeypatch.setenv(f"LABKIT_PG_NODE{i}", f"{host}:5432")
    monkeypatch.setattr(db, "_addresses", lambda host: frozenset({aurora.get(host, "192.0.2.1")}))
    assert db.node_at(5432, "pg-node", "10.0.2.12") == "pg-node2"  # not the first one on 5432
    assert db.node_at(5432, "pg-node", "10.0.9.9") is None
    assert db.node_at(5432, "pg-node") is None  # several on the port, no address to tell them apart


def test_a_target_holds_what_a_page_connects_with(state_home, monkeypatch):
    monkeypatch.delenv("LABKIT_PG_SSLMODE", raising=False)
    monkeypatch.delenv("LABKIT_MYSQL_SSL_CA", raising=False)
    monkeypatch.setattr(Endpoint, "check", lambda self, timeout=1.0: None)
    pg = db.target("pg-writer")
    assert (pg.host, pg.port) == endpoint("pg-writer").address
    assert pg.sslmode == "verify-full" and pg.ca_file.endswith("ca.pem")
    assert pg.password not in repr(pg)
    mysql = db.target("mysql-reader")
    assert mysql.sslmode is None and mysql.ca_file is None
    with pytest.raises(ValueError, match="not a database endpoint"):
        db.target("redis-node1")


def test_a_target_on_a_server_labkit_did_not_start_logs_in_first(state_home, monkeypatch):
    monkeypatch.setattr(Endpoint, "check", lambda self, timeout=1.0: None)
    monkeypatch.setattr(db.external, "is_external", lambda name: True)
    refusal = db.logins.LoginFailed("pg-writer refused the login; check LABKIT_PG_PASSWORD")

    def refuse(name, engine, user, database):
        raise refusal

    monkeypatch.setattr(db.logins, "check_database", refuse)
    with pytest.raises(db.logins.LoginFailed, match="LABKIT_PG_PASSWORD"):
        db.target("pg-writer")
