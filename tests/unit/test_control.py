"""A step that would control a server asks first, and against one labkit did not start says so once."""
from labkit import control


def test_the_local_cloud_may_be_controlled_and_used_without_a_word(monkeypatch, capsys):
    monkeypatch.setattr(control.external, "is_external", lambda name: False)
    monkeypatch.setattr(control.external, "decides", lambda anchor: False)
    assert control.can("redis-standalone1", "stop a node", "reboot it")
    assert control.has("pg-proxy", "send the storm through the proxy", "create one")
    assert capsys.readouterr().out == ""


def test_a_server_labkit_did_not_start_gets_one_sentence_what_why_and_the_aws_way(monkeypatch, capsys):
    monkeypatch.setenv("LABKIT_PG_WRITER", "mycluster.cluster-abc.eu-west-1.rds.amazonaws.com:5432")
    assert not control.can("pg-node1", "kill -9 the writer's postmaster",
                           "`aws rds failover-db-cluster --db-cluster-identifier mycluster`")
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith(control.SKIPPED)
    assert "would kill -9 the writer's postmaster, but the servers behind pg-writer at mycluster" in out
    assert out.rstrip().endswith("on AWS, `aws rds failover-db-cluster --db-cluster-identifier mycluster`.")


def test_a_page_can_check_afterwards_that_it_said_what_it_skipped(monkeypatch, capsys):
    monkeypatch.setattr(control, "said", [])
    monkeypatch.setattr(control.external, "is_external", lambda name: name.startswith("redis-"))
    assert not control.skipped("stop a node")
    assert control.can("pg-writer", "crash the writer", "fail over")
    assert not control.can("redis-primary", "stop a node halfway", "reboot it")
    assert control.skipped("stop a node") and not control.skipped("crash the writer")
    assert capsys.readouterr().out.count(control.SKIPPED) == 1


def test_beside_external_servers_a_proxy_named_by_its_variable_is_used(monkeypatch, capsys):
    monkeypatch.setenv("LABKIT_PG_WRITER", "mycluster.cluster-abc.eu-west-1.rds.amazonaws.com:5432")
    monkeypatch.setenv("LABKIT_PG_PROXY", "myproxy.proxy-abc.eu-west-1.rds.amazonaws.com:5432")
    assert control.has("pg-proxy", "send the storm through the proxy", "create one")
    assert capsys.readouterr().out == ""


def test_beside_external_servers_without_a_proxy_one_sentence_names_the_variable(monkeypatch, capsys):
    monkeypatch.setattr(control, "said", [])
    monkeypatch.setenv("LABKIT_PG_WRITER", "mycluster.cluster-abc.eu-west-1.rds.amazonaws.com:5432")
    monkeypatch.delenv("LABKIT_PG_PROXY", raising=False)
    assert not control.has("pg-proxy", "send the storm through the proxy", "`aws rds create-db-proxy`")
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith(control.SKIPPED)
    assert "would send the storm through the proxy, but the servers behind pg-writer at mycluster" in out
    assert "set LABKIT_PG_PROXY to one" in out and out.rstrip().endswith("on AWS, `aws rds create-db-proxy`.")
    assert control.skipped("send the storm")
