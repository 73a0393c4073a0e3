"""Test modes and where a test run's connector config comes from.

Modes (``CONNECTOR_TEST_MODE``):

- ``simulate`` (default): offline. HTTP goes only to 127.0.0.1: an in-process
  server, a replayed cassette or the spec-driven simulator.
- ``record``: talks to the real source and records every exchange to a cassette.
- ``live``: talks to the real source; the only mode where write-back tests write
  (``record`` writes too, since it is a live run).

Config precedence, first hit wins: ``CONNECTOR_TEST_CONFIG_JSON``,
``CONNECTOR_TEST_CONFIG_PATH``, then in simulate mode the class's ``replay_config``
and ``configs/replay_config.json`` beside the test file, then the source's dev
config (``configs/dev_config.json`` in the workspace layout, or beside the test file).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from skillpack.errors import ConfigError, known_values

MODES = ("simulate", "record", "live")
MODE_ENV = "CONNECTOR_TEST_MODE"
CONFIG_JSON_ENV = "CONNECTOR_TEST_CONFIG_JSON"
CONFIG_PATH_ENV = "CONNECTOR_TEST_CONFIG_PATH"

#: config keys that mark the target environment; the write-back suite refuses production
ENVIRONMENT_KEYS = ("environment", "env")


def get_mode() -> str:
    """The current test mode; an unknown value is a config error, not a silent default."""
    mode = os.environ.get(MODE_ENV, "").strip().lower() or "simulate"
    if mode == "replay":  # upstream's older name for offline runs
        mode = "simulate"
    if mode not in MODES:
        raise ConfigError(
            f"{MODE_ENV}: " + known_values("mode", mode, MODES),
            hint=f"unset {MODE_ENV} for offline runs, or set it to live",
        )
    return mode


def is_live(mode: str | None = None) -> bool:
    """True where tests talk to the real source (and so may write to it)."""
    return (mode or get_mode()) in ("live", "record")


def read_json_file(path: Path, what: str) -> dict[str, Any]:
    """Load a JSON object from ``path`` with an error that names the file and the problem."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{what} `{path}` does not exist", hint="check the path") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{what} `{path}` is not valid JSON (line {exc.lineno}, column {exc.colno})",
            hint="fix the JSON syntax",
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{what} `{path}` must hold a JSON object", hint='use {"key": "value"}')
    return data


def config_from_env() -> tuple[dict[str, Any], str] | None:
    """The config given through the environment, with a label saying where it came from."""
    raw = os.environ.get(CONFIG_JSON_ENV)
    if raw:
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            # The value may hold secrets, so the message names the position only.
            raise ConfigError(
                f"{CONFIG_JSON_ENV} is not valid JSON (column {exc.colno})",
                hint='pass a JSON object, e.g. \'{"api_key": "..."}\'',
            ) from None
        if not isinstance(data, dict):
            raise ConfigError(f"{CONFIG_JSON_ENV} must be a JSON object", hint='use {"k": "v"}')
        return data, CONFIG_JSON_ENV
    path = os.environ.get(CONFIG_PATH_ENV)
    if path:
        return read_json_file(Path(path).expanduser(), CONFIG_PATH_ENV), path
    return None


def resolve_config(
    *,
    mode: str,
    replay_config: dict[str, Any] | None,
    config_dirs: list[Path],
    dev_configs: list[Path],
) -> tuple[dict[str, Any], str] | None:
    """Apply the precedence above; ``None`` when nothing was found."""
    found = config_from_env()
    if found is not None:
        return found
    if mode == "simulate":
        if replay_config is not None:
            return dict(replay_config), "replay_config"
        for folder in config_dirs:
            path = folder / "replay_config.json"
            if path.exists():
                return read_json_file(path, "replay config"), str(path)
    for path in dev_configs:
        if path.exists():
            return read_json_file(path, "dev config"), str(path)
    return None


def is_production(config: dict[str, Any]) -> bool:
    """True when the config says it points at a production environment."""
    for key in ENVIRONMENT_KEYS:
        value = config.get(key)
        if isinstance(value, str) and value.strip().lower() in ("production", "prod"):
            return True
    return False
