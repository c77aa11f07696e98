"""The baseline every lab starts from: what counts as a change a lab left behind."""
import psycopg

from labkit import baseline


def _config(**changes):
    config = {"ttl": 20, "synchronous_mode": False, "postgresql": {"parameters": {"archive_command": "/bin/true"}}}
    for key, value in changes.items():
        if key == "archive_command":
            config["postgresql"]["parameters"]["archive_command"] = value
        else:
            config[key] = value
    return config


def test_the_baseline_config_has_no_drift():
    assert baseline._patroni_drift(_config()) == {}
    assert baseline._patroni_drift({"ttl": 20}) == {}  # unset settings are at Patroni's defaults


def test_quorum_commit_left_on_is_named_and_switched_off():
    config = _config(synchronous_mode="quorum", synchronous_node_count=1)
    drift = baseline._patroni_drift(config)
    assert drift == {"synchronous_mode": False}
    assert [d.what for d in baseline._describe_patroni(drift, config)] == [
        "commits wait for replicas (synchronous_mode: quorum)"]


def test_a_paused_patroni_and_an_archive_command_are_put_back():
    config = _config(pause=True, archive_command="cp %p /archive/%f")
    drift = baseline._patroni_drift(config)
    assert drift == {"pause": False, "postgresql": {"parameters": {"archive_command": "/bin/true"}}}
    described = [d.what for d in baseline._describe_patroni(drift, config)]
    assert described == ["Patroni is paused: no automatic failover", "archive_command is 'cp %p /archive/%f'"]


def test_a_deviation_says_how_to_restore_it():
    assert str(baseline.Deviation("pg-node4 is running")) == (
        "pg-node4 is running: left by a lab; `./course up` or any lab's first cell restores it")


def test_every_on_demand_server_has_a_way_to_stop_it():
    from labkit.endpoints import ENDPOINTS

    assert set(baseline.ON_DEMAND) == {name for name, e in ENDPOINTS.items()
                                       if e.on_demand and not name.startswith("patroni")}


def _not_asked(*_):
    raise AssertionError("labkit asked a server it did not start for the course's baseline")


def test_servers_labkit_did_not_start_are_neither_inspected_nor_changed(monkeypatch, capsys):
    from labkit.endpoints import ENDPOINTS

    everything = set(baseline.external.GROUPS)
    monkeypatch.setattr(baseline, "_patroni_config", _not_asked)
    monkeypatch.setattr(baseline, "_redis_drift", _not_asked)
    monkeypatch.setattr(baseline, "accepts", lambda name: name in ("redis-standalone1", "web-app1"))
    assert [d.what for d in baseline.deviations(everything)] == [
        f"web-app1 ({ENDPOINTS['web-app1'].aws_role}) is running"]  # the lab's own app, not the cache

    stopped = []
    monkeypatch.setattr(baseline.cloud, "up", lambda echo: [])
    monkeypatch.setattr(baseline.external, "outside", lambda: everything)
    for name in baseline.ON_DEMAND:
        monkeypatch.setitem(baseline.ON_DEMAND, name, lambda name=name: stopped.append(name))
    monkeypatch.setattr(baseline.cluster, "heal", lambda: None)
    monkeypatch.setattr(baseline.health, "heal", lambda: None)
    baseline.restore()
    assert stopped == ["web-app1"]
    assert capsys.readouterr().out.startswith("External servers, used as they are (labkit starts, stops and "
                                              "changes none of them): pg-writer at ")


def test_a_writer_that_does_not_answer_is_named_not_a_crash(monkeypatch):
    def refused():
        raise psycopg.OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
    monkeypatch.setattr(baseline, "_audit_drift", refused)
    [found] = baseline._writer_drift()
    assert "writer did not answer (connection to server at 127.0.0.1 failed" in str(found)
