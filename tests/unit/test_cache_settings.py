import pytest

from labkit.cache import settings


class ConfigOnly:
    def __init__(self, **values):
        self.values = {**settings.BASELINE, **values}

    def config_get(self, name):
        return {name: self.values[name]} if name in self.values else {}

    def config_set(self, name, value):
        self.values[name] = value


def test_changed_settings_are_set_back_even_after_an_error():
    client = ConfigOnly()
    with pytest.raises(RuntimeError):
        with settings.changed(client, maxmemory="4mb", maxmemory_policy="allkeys-lru") as before:
            assert client.values["maxmemory-policy"] == "allkeys-lru"
            assert before == {"maxmemory": "0", "maxmemory-policy": "noeviction"}
            raise RuntimeError("a lab cell failed")
    assert client.values["maxmemory"] == "0" and client.values["maxmemory-policy"] == "noeviction"


def test_reset_names_what_a_dead_kernel_left_changed():
    client = ConfigOnly(appendonly="yes")
    assert settings.reset(client) == {"appendonly": "yes"}
    assert client.values["appendonly"] == "no"


def test_an_unknown_setting_is_named():
    with pytest.raises(KeyError, match="no setting 'max-memory'"):
        with settings.changed(ConfigOnly(), max_memory="1mb"):
            pass
