"""A refused login names the LABKIT_* variable to fix, whatever the driver said."""
import psycopg
import pymysql
import pytest
import redis
import sqlalchemy as sa

from labkit import logins


@pytest.fixture
def right_kind(monkeypatch):
    monkeypatch.setattr(logins.kinds, "answers", lambda address, kind: True)


def _refused(orig: Exception) -> sa.exc.DBAPIError:
    return sa.exc.OperationalError("connect", {}, orig)


@pytest.mark.parametrize("driver_says, fix", [
    ('FATAL:  password authentication failed for user "shopper"', "fix LABKIT_PG_PASSWORD"),
    ('FATAL:  database "shop" does not exist', "has no database shop: fix LABKIT_PG_DATABASE"),
    ('FATAL:  role "shopper" does not exist', "has no user shopper: fix LABKIT_PG_USER"),
    ('FATAL:  no pg_hba.conf entry for host "127.0.0.1", user "shopper", database "shop", no encryption',
     "fix LABKIT_PG_SSLMODE, or the server's pg_hba.conf"),
    ("server does not support SSL, but SSL was required", "disagree on TLS: fix LABKIT_PG_SSLMODE"),
    ("SSL error: certificate verify failed", "set LABKIT_PG_SSLROOTCERT"),
    ('server certificate for "db.other.example" does not match host name "10.0.0.5"',
     "certificate for another host name"),
])
def test_a_refused_postgresql_login_names_its_variable(right_kind, driver_says, fix):
    message = logins.database_refusal("pg-writer", _refused(psycopg.OperationalError(driver_says)), "shopper", "shop")
    assert message.startswith("pg-writer at ") and fix in message


@pytest.mark.parametrize("code, fix", [(1045, "fix LABKIT_MYSQL_PASSWORD"), (1049, "fix LABKIT_MYSQL_DATABASE"),
                                       (1044, "fix LABKIT_MYSQL_DATABASE")])
def test_a_refused_mysql_login_names_its_variable(right_kind, code, fix):
    message = logins.database_refusal("mysql-reader", _refused(pymysql.err.OperationalError(code, "denied")),
                                      "shopper", "shop")
    assert message.startswith("mysql-reader at ") and fix in message


def test_an_unknown_refusal_still_names_the_endpoint(right_kind):
    message = logins.database_refusal("pg-reader", _refused(psycopg.OperationalError("something new")), "u", "d")
    assert message.startswith("pg-reader at ") and "(something new)" in message


def test_a_server_of_another_kind_names_the_endpoint_variable(monkeypatch):
    monkeypatch.setattr(logins.kinds, "answers", lambda address, kind: kind == logins.kinds.REDIS)
    message = logins.database_refusal("pg-writer", _refused(psycopg.OperationalError("garbage")), "u", "d")
    assert "answers as Redis, not PostgreSQL: point LABKIT_PG_WRITER at a PostgreSQL server" in message


@pytest.mark.parametrize("error, fix", [
    (redis.AuthenticationError("Authentication required."), "set LABKIT_REDIS_PASSWORD"),
    (redis.AuthenticationError("invalid username-password pair or user is disabled."), "fix LABKIT_REDIS_PASSWORD"),
    (redis.AuthenticationError("AUTH <password> called without any password configured for the default user."),
     "unset LABKIT_REDIS_PASSWORD"),
])
def test_a_refused_redis_login_names_its_variable(right_kind, error, fix):
    assert fix in logins.redis_refusal("redis-primary", error)
