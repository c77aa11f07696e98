import pytest

from labkit.endpoints import ENDPOINTS, BadEndpoint, ServiceUnavailable, endpoint, markdown_table


def test_ports_are_unique_and_below_the_ephemeral_range():
    ports = [e.port for e in ENDPOINTS.values()]
    assert len(ports) == len(set(ports))
    assert all(1024 < p < 32768 for p in ports), "ports in 32768-60999 collide with TIME_WAIT client sockets"


def test_every_endpoint_has_its_own_variable():
    assert endpoint("pg-writer").env_var == "LABKIT_PG_WRITER"
    assert len({e.env_var for e in ENDPOINTS.values()}) == len(ENDPOINTS)


def test_environment_moves_an_endpoint(monkeypatch):
    monkeypatch.setenv("LABKIT_PG_WRITER", "db.example.com:5432")
    assert endpoint("pg-writer").address == ("db.example.com", 5432)
    assert not endpoint("pg-writer").is_local()


@pytest.mark.parametrize("value", ["nonsense", "host:", ":5432", "host:99999", "host:port"])
def test_a_malformed_variable_names_itself(monkeypatch, value):
    monkeypatch.setenv("LABKIT_REDIS_NODE1", value)
    with pytest.raises(BadEndpoint, match="LABKIT_REDIS_NODE1=.*HOST:PORT"):
        endpoint("redis-node1").address


def test_unknown_endpoint_lists_the_known_ones():
    with pytest.raises(KeyError, match="pg-writer"):
        endpoint("pg-writter")


def test_a_service_that_does_not_answer_says_what_to_run(monkeypatch, closed_port):
    monkeypatch.setenv("LABKIT_MEMCACHED1", f"127.0.0.1:{closed_port}")
    with pytest.raises(ServiceUnavailable) as err:
        endpoint("memcached1").check()
    message = str(err.value)
    assert "memcached1 (ElastiCache for Memcached node 1) does not answer" in message
    assert "./course up" in message and "LABKIT_MEMCACHED1" in message


def test_markdown_table_lists_every_endpoint():
    table = markdown_table()
    assert all(f"`{e.name}`" in table and str(e.port) in table for e in ENDPOINTS.values())


def test_validate_rejects_any_malformed_variable(monkeypatch):
    from labkit.endpoints import validate

    validate()
    monkeypatch.setenv("LABKIT_PG_PROXY", "proxy-without-port")
    with pytest.raises(BadEndpoint, match="LABKIT_PG_PROXY"):
        validate()


def test_a_port_offset_moves_every_default_port(monkeypatch):
    monkeypatch.setenv("LABKIT_PORT_OFFSET", "11222")
    assert endpoint("pg-writer").address == ("127.0.0.1", 15432 + 11222)
    monkeypatch.setenv("LABKIT_PG_WRITER", "127.0.0.1:5432")
    assert endpoint("pg-writer").address == ("127.0.0.1", 5432)  # an explicit address wins
    monkeypatch.setenv("LABKIT_PORT_OFFSET", "20000")
    with pytest.raises(BadEndpoint, match="LABKIT_PORT_OFFSET='20000' must be a whole number below"):
        endpoint("redis-node1").address


def test_disjoint_offsets_give_clouds_that_share_no_port():
    from labkit.endpoints import disjoint_offsets

    offsets = disjoint_offsets(3, 11222)
    assert offsets[0] == 0 and len(offsets) == 3
    shifted = [{e.port + o for e in ENDPOINTS.values()} for o in offsets]
    assert not (shifted[0] & shifted[1] or shifted[0] & shifted[2] or shifted[1] & shifted[2])
    assert max(max(s) for s in shifted) < 32768
