from labkit import binaries
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
