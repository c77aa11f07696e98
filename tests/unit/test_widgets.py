from labkit.aurora import widgets


def test_endpoint_explorer_follows_the_engine_and_logs_each_answer(monkeypatch):
    calls = []
    monkeypatch.setattr(widgets, "describe_endpoint", lambda name: calls.append(name) or f"{name} → node")
    box = widgets.endpoint_explorer()
    engine, (endpoint, button), log = box.children[0], box.children[1].children, box.children[2]
    assert calls == ["pg-writer"] and "pg-writer → node" in log.value  # shows an answer before any click
    engine.value = "MySQL"
    assert endpoint.options == tuple(widgets.ENDPOINT_CHOICES["MySQL"])
    endpoint.value = "mysql-reader"
    button.click()
    assert calls[-1] == "mysql-reader" and log.value.startswith("mysql-reader")
