"""What kind of server answers at an address, told from the first bytes of each protocol."""
import socket

import pytest

from labkit import kinds

MYSQL_GREETING = b"\x4a\x00\x00\x00\x0a10.11.6-MariaDB\x00" + b"\x01" * 40
ANSWERS = {
    kinds.POSTGRESQL: {"reply": b"N"},
    kinds.MYSQL: {"greeting": MYSQL_GREETING},
    kinds.REDIS: {"reply": b"+PONG\r\n"},
    kinds.MEMCACHED: {"reply": b"VERSION 1.6.18\r\n"},
}


@pytest.mark.parametrize("name, kind", [
    ("pg-writer", kinds.POSTGRESQL), ("pg-proxy", kinds.POSTGRESQL), ("mysql-reader", kinds.MYSQL),
    ("redis-primary", kinds.REDIS), ("redis-sentinel2", kinds.REDIS), ("memcached1", kinds.MEMCACHED),
    ("etcd", None), ("patroni1", None), ("haproxy-admin", None), ("web-app1", None),
])
def test_each_endpoint_expects_one_kind_of_server(name, kind):
    assert kinds.expected(name) == kind


@pytest.mark.parametrize("kind", ANSWERS)
def test_a_server_is_told_by_its_first_answer_and_by_nothing_else(fake_server, kind):
    address = ("127.0.0.1", fake_server(**ANSWERS[kind]))
    assert [k for k in ANSWERS if kinds.answers(address, k, timeout=0.3)] == [kind]
    assert kinds.which(address) == kind


def test_a_redis_that_asks_for_a_password_is_still_redis(fake_server):
    port = fake_server(reply=b"-NOAUTH Authentication required.\r\n")
    assert kinds.answers(("127.0.0.1", port), kinds.REDIS)


def test_a_port_that_refuses_or_stays_silent_is_no_server(closed_port):
    assert not kinds.answers(("127.0.0.1", closed_port), kinds.REDIS)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        assert kinds.which(silent.getsockname()) is None
