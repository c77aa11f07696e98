import pytest

from labkit import binaries, status
from labkit.__main__ import main


def test_a_bad_endpoint_variable_gives_one_clear_line(monkeypatch, capsys):
    monkeypatch.setenv("LABKIT_PG_WRITER", "not-an-address")
    assert main(["status"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("labkit status: LABKIT_PG_WRITER='not-an-address' is not HOST:PORT")
    assert "Traceback" not in err


def test_a_missing_program_says_how_to_install_it(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(binaries, "_EXTRA_DIRS", [])
    try:
        binaries.find("memcached")
    except binaries.MissingProgram as exc:
        assert "apt-get install memcached" in str(exc) and "brew install memcached" in str(exc)
    else:
        raise AssertionError("find() should fail when the program is nowhere")


def test_a_service_that_stays_unhealthy_is_named_with_the_table(monkeypatch):
    monkeypatch.setattr(status, "rows", lambda: [status.Row("redis-node2", "replica", False, "-")])
    with pytest.raises(status.NotHealthy, match=r"(?s)after 0.2 s.*redis-node2 .*NO"):
        status.wait_healthy(timeout=0.2)


def test_status_shows_a_server_labkit_did_not_start_as_external_with_its_health(monkeypatch):
    monkeypatch.setattr(status.external, "outside", lambda: {"memcached2"})
    monkeypatch.setattr(status.external, "provided", lambda anchor: [anchor])
    monkeypatch.setattr(status.kinds, "answers", lambda address, kind: False)
    for anchor in status.LOCAL_ROWS:
        monkeypatch.setitem(status.LOCAL_ROWS, anchor, lambda anchor=anchor: [status.Row(anchor, "local", True)])
    rows = status.rows()
    assert [(r.service, r.role, r.healthy) for r in rows][-2:] == [("memcached1", "local", True),
                                                                  ("memcached2", "external", False)]
    assert "memcached2" in status.table(rows) and not status.healthy(rows)
