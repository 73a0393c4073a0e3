import json

import pytest

from skillpack.errors import ConfigError
from skillpack.testing import config


def test_mode_defaults_to_simulate(monkeypatch):
    monkeypatch.delenv(config.MODE_ENV, raising=False)
    assert config.get_mode() == "simulate"


def test_unknown_mode_names_the_accepted_ones(monkeypatch):
    monkeypatch.setenv(config.MODE_ENV, "turbo")
    with pytest.raises(ConfigError, match=r"`turbo`.*`live`, `record`, `simulate`"):
        config.get_mode()


def test_env_json_wins_over_files(tmp_path, monkeypatch):
    (tmp_path / "dev_config.json").write_text('{"k": "file"}')
    monkeypatch.setenv(config.CONFIG_JSON_ENV, '{"k": "env"}')
    found = config.resolve_config(
        mode="live", replay_config=None, config_dirs=[], dev_configs=[tmp_path / "dev_config.json"]
    )
    assert found == ({"k": "env"}, config.CONFIG_JSON_ENV)


def test_env_path_comes_second(tmp_path, monkeypatch):
    monkeypatch.delenv(config.CONFIG_JSON_ENV, raising=False)
    path = tmp_path / "secret.json"
    path.write_text('{"k": "path"}')
    monkeypatch.setenv(config.CONFIG_PATH_ENV, str(path))
    found = config.resolve_config(
        mode="simulate", replay_config={"k": "r"}, config_dirs=[], dev_configs=[]
    )
    assert found[0] == {"k": "path"}


def test_replay_config_only_offline(tmp_path, monkeypatch):
    monkeypatch.delenv(config.CONFIG_JSON_ENV, raising=False)
    monkeypatch.delenv(config.CONFIG_PATH_ENV, raising=False)
    (tmp_path / "replay_config.json").write_text('{"k": "replay"}')
    dev = tmp_path / "dev.json"
    dev.write_text('{"k": "dev"}')
    offline = config.resolve_config(
        mode="simulate", replay_config=None, config_dirs=[tmp_path], dev_configs=[dev]
    )
    live = config.resolve_config(
        mode="live", replay_config={"k": "cls"}, config_dirs=[tmp_path], dev_configs=[dev]
    )
    assert offline[0] == {"k": "replay"}
    assert live[0] == {"k": "dev"}


def test_nothing_found_is_none(monkeypatch):
    monkeypatch.delenv(config.CONFIG_JSON_ENV, raising=False)
    monkeypatch.delenv(config.CONFIG_PATH_ENV, raising=False)
    assert (
        config.resolve_config(mode="live", replay_config=None, config_dirs=[], dev_configs=[])
        is None
    )


def test_bad_env_json_does_not_echo_the_value(monkeypatch):
    monkeypatch.setenv(config.CONFIG_JSON_ENV, '{"password": "hunter2-secret"')
    with pytest.raises(ConfigError) as info:
        config.config_from_env()
    assert "hunter2" not in str(info.value) and "not valid JSON" in str(info.value)


def test_bad_config_file_names_file_and_line(tmp_path):
    path = tmp_path / "dev_config.json"
    path.write_text('{\n  "a": 1,\n}')
    with pytest.raises(ConfigError, match=r"dev_config.json.*line 3"):
        config.read_json_file(path, "dev config")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"environment": "production"}, True),
        ({"env": "Prod"}, True),
        ({"environment": "dev"}, False),
        ({}, False),
    ],
)
def test_production_marker(value, expected):
    assert config.is_production(value) is expected


def test_config_json_shape_must_be_object(monkeypatch):
    monkeypatch.setenv(config.CONFIG_JSON_ENV, json.dumps([1, 2]))
    with pytest.raises(ConfigError, match="JSON object"):
        config.config_from_env()
