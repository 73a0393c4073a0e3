"""Where a suite class finds its files, its mode and its config; the generic suite's base.

A test class is located by its own file: configs and cassettes beside it, the workspace
(ours or a Lakeflow checkout) around it, and the mode from the environment with the
checkout's rule for classes that name no simulator spec.
"""

from __future__ import annotations

import contextlib
import inspect
from pathlib import Path
from typing import Any, ClassVar

from skillpack.layout import workspace_for_test_file
from skillpack.testing import _checkout
from skillpack.testing import config as _config


class SuiteConfig:
    """Class-level lookups ``LakeflowConnectTests`` inherits; they read its class settings."""

    replay_config: ClassVar[dict[str, Any] | None] = None
    simulator_source: ClassVar[str | None] = None

    @classmethod
    def _test_file(cls) -> Path:
        return Path(inspect.getfile(cls)).resolve()

    @classmethod
    def _config_dir(cls) -> Path:
        """``configs/`` beside the test file (upstream keeps configs there)."""
        return cls._test_file().parent / "configs"

    @classmethod
    def _cassette_dir(cls) -> Path:
        return cls._test_file().parent / "cassettes"

    @classmethod
    def _dev_config_paths(cls) -> list[Path]:
        paths = []
        ws = workspace_for_test_file(cls._test_file())
        if ws is not None:
            paths.append(ws.dev_config)
        paths.append(cls._config_dir() / "dev_config.json")
        return list(dict.fromkeys(paths))

    @classmethod
    def _in_checkout(cls) -> bool:
        """True when the test file sits in a Lakeflow Community Connectors checkout."""
        ws = workspace_for_test_file(cls._test_file())
        return ws is not None and ws.layout == "upstream"

    @classmethod
    def _resolve_mode(cls) -> str:
        """The run's mode. Unset means simulate, except for a checkout's class without a
        simulator spec, which the checkout runs live (its in-process or mocked sources)."""
        default = _checkout.MODE_LIVE if cls._in_checkout() else _checkout.MODE_SIMULATE
        return _checkout.resolve_mode(cls.simulator_source, default=default)

    @classmethod
    def _replay_config(cls) -> dict[str, Any] | None:
        """Stand-in credentials; override to build them (e.g. a freshly generated key)."""
        return cls.replay_config

    @classmethod
    def _load_config(cls) -> dict[str, Any]:
        """Config by precedence: env JSON, env path, replay config (simulate), dev config.

        In a checkout the replay config applies in every mode, as the checkout's suite does.
        """
        mode = _checkout.MODE_SIMULATE if cls._in_checkout() else cls._resolve_mode()
        found = _config.resolve_config(
            mode=mode,
            replay_config=cls._replay_config(),
            config_dirs=[cls._config_dir()],
            dev_configs=cls._dev_config_paths(),
        )
        if found is None:
            return {}
        cls._config_source = found[1]
        return found[0]

    @classmethod
    def _load_table_configs(cls) -> dict[str, dict[str, Any]]:
        path = cls._config_dir() / "dev_table_config.json"
        if not path.exists():
            return {}
        return _config.read_json_file(path, "table config")

    @classmethod
    def _http_context(cls, mode: str) -> contextlib.AbstractContextManager[Any]:
        """Wrap the run's HTTP traffic (record/replay); a no-op unless a simulator applies."""
        from skillpack.testing.simulation import http_context

        return http_context(cls, mode)
