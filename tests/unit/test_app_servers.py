"""Where the two app instances listen, what they are told, and a clear error for a taken port."""
from __future__ import annotations

import socket
import sys

import pytest

from labkit.cache.sessions import app_servers
from labkit.cache.sessions.webapp import AppSettings
from labkit.ports import PortTaken


def test_url_and_command_follow_the_endpoint_variables(monkeypatch):
    monkeypatch.setenv("LABKIT_WEB_APP2", "127.0.0.1:18123")
    assert app_servers.url("web-app2", "/whoami") == "http://127.0.0.1:18123/whoami"
    argv = app_servers.gunicorn_argv("web-app2")
    assert argv[:3] == [sys.executable, "-m", "gunicorn"]
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:18123"
    assert argv[-1] == "labkit.cache.sessions.webapp:create_app()"
    with pytest.raises(KeyError, match="web-app1"):
        app_servers.url("web-app3")


def test_each_instance_is_told_its_name_and_the_sentinels(monkeypatch):
    monkeypatch.setenv("LABKIT_REDIS_SENTINEL3", "127.0.0.1:26392")
    settings = app_servers.settings_for("web-app1", 3, "lab10:session:")
    assert settings.instance == "web-app1" and settings.lifetime_s == 3
    assert settings.sentinels[-1] == ("127.0.0.1", 26392) and len(settings.sentinels) == 3
    assert AppSettings.from_env(settings.as_env()) == settings


def test_a_taken_port_names_its_variable(state_home, monkeypatch):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        monkeypatch.setenv("LABKIT_WEB_APP1", f"127.0.0.1:{holder.getsockname()[1]}")
        with pytest.raises(PortTaken, match="LABKIT_WEB_APP1"):
            app_servers.start(lifetime_s=3, key_prefix="lab10:session:")


def test_against_a_redis_labkit_did_not_start_each_instance_is_told_its_primary_endpoint_and_login(monkeypatch):
    monkeypatch.setattr(app_servers.external, "is_external", lambda name: True)
    monkeypatch.setenv("LABKIT_REDIS_PRIMARY", "cache.abc.euw1.cache.amazonaws.com:6379")
    monkeypatch.setenv("LABKIT_REDIS_PASSWORD", "p@ss/word")
    monkeypatch.setenv("LABKIT_REDIS_TLS", "1")
    settings = app_servers.settings_for("web-app2", 60, "lab10:session:")
    assert settings.sentinels == ()
    assert settings.redis_url == "rediss://:p%40ss%2Fword@cache.abc.euw1.cache.amazonaws.com:6379"
    assert AppSettings.from_env(settings.as_env()) == settings
    monkeypatch.delenv("LABKIT_REDIS_PASSWORD")
    monkeypatch.delenv("LABKIT_REDIS_TLS")
    assert app_servers.settings_for("web-app2", 60, "lab10:session:").redis_url == (
        "redis://cache.abc.euw1.cache.amazonaws.com:6379")
