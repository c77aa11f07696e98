"""The security labs say once that their servers are labkit's own, and only beside external servers."""
from labkit.security import own_servers


def test_beside_external_servers_the_sentence_is_said_once(monkeypatch, capsys):
    monkeypatch.setattr(own_servers, "_asked", [])
    monkeypatch.setattr(own_servers.external, "outside", lambda: {"pg-writer"})
    own_servers.announce()
    own_servers.announce()
    out = capsys.readouterr().out
    assert out.strip() == own_servers.OWN_SERVERS and out.count("\n") == 1
    assert "on AWS, " in out and "aws rds modify-db-parameter-group" in out


def test_in_the_local_cloud_nothing_is_said(monkeypatch, capsys):
    monkeypatch.setattr(own_servers, "_asked", [])
    monkeypatch.setattr(own_servers.external, "outside", set)
    own_servers.announce()
    assert capsys.readouterr().out == ""
