"""The child process of ``validate_incremental_sync``: load the source's test class, run the checks.

Run as ``python -m skillpack.incremental._child`` with the job as JSON on stdin::

    {"test_file": "/ws/tests/sources/x/test_x.py", "import_roots": ["/ws", "/ws/tests/..."],
     "tables": null, "settings": {...}}

The mode comes from ``CONNECTOR_TEST_MODE``, as for the suites. The test class supplies what
the suites use: the config (with the same precedence), its ``local_service``, the
simulate/record/live HTTP wrapping and the write-back utilities, which change the source
between reads. The last line of stdout is ``{"result": {...}}`` or ``{"error": "..."}``;
whatever the connector prints goes to stderr. A process of its own keeps a hanging read, a
connector's module cache and its threads out of the caller.
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

_OUT = sys.stdout
#: seconds a local service of the test class gets to show a write
_LOCAL_VISIBILITY_S = 2.0


class UtilsDriver:
    """Changes the source through the test class's write-back utilities."""

    def __init__(self, test_class: Any, why_not: str | None) -> None:
        self.cls = test_class
        self.utils = getattr(test_class, "test_utils", None)
        self.why_not = why_not
        self._insertable: list[str] | None = None
        self._deletable: list[str] | None = None

    def can_write(self, table: str) -> str | None:
        if self.why_not:
            return self.why_not
        if self._insertable is None:
            self._insertable = list(self.utils.list_insertable_tables())
        if table not in self._insertable:
            return f"the write-back utilities cannot write to `{table}`"
        return None

    def can_delete(self, table: str) -> str | None:
        if self.why_not:
            return self.why_not
        if self._deletable is None:
            self._deletable = list(self.utils.list_deletable_tables())
        if table not in self._deletable:
            return f"the write-back utilities cannot delete from `{table}`"
        return None

    def _call(self, method: str, table: str, n: int) -> tuple[list[dict], dict[str, str]]:
        self.cls._wrote = True  # teardown_class then runs the utilities' cleanup
        ok, rows, mapping = getattr(self.utils, method)(table, n)
        if not ok or not rows:
            raise RuntimeError(f"{method}(`{table}`, {n}) reported no rows written")
        return rows, mapping

    def write(self, table: str, n: int) -> tuple[list[dict], dict[str, str]]:
        return self._call("generate_rows_and_write", table, n)

    def delete(self, table: str, n: int) -> tuple[list[dict], dict[str, str]]:
        return self._call("delete_rows", table, n)


class SimulatorDriver:
    """Changes the spec-driven simulator's data between reads (offline, no utilities needed)."""

    def __init__(self, simulator: Any) -> None:
        self.sim = simulator

    def _why_not(self, table: str, deletes: bool = False) -> str | None:
        data = self.sim.data.get(table)
        if data is None or data.schema is None:
            return f"the simulator serves fixed records for `{table}`"
        if deletes and data.spec.deletes is None:
            return f"the simulator spec gives `{table}` no delete feed"
        return None

    def can_write(self, table: str) -> str | None:
        return self._why_not(table)

    def can_delete(self, table: str) -> str | None:
        return self._why_not(table, deletes=True)

    def write(self, table: str, n: int) -> tuple[list[dict], dict[str, str]]:
        from skillpack.testing._spec_simulator import change_records

        rows = change_records(self.sim, table, n)
        return rows, {k: k for k in self.sim.data[table].keys}

    def delete(self, table: str, n: int) -> tuple[list[dict], dict[str, str]]:
        from skillpack.testing._spec_simulator import delete_records

        rows = delete_records(self.sim, table, n)
        return rows, {k: k for k in self.sim.data[table].keys}


def _emit(obj: dict[str, Any], secrets: list[str]) -> None:
    from skillpack.sdk.redaction import redact_text

    # Messages quote offsets and records; a config value must never ride along.
    _OUT.write(redact_text(json.dumps(obj, default=str), secrets) + "\n")
    _OUT.flush()


def _test_class(test_file: Path) -> type:
    from skillpack.testing.suite import LakeflowConnectTests

    spec = importlib.util.spec_from_file_location(test_file.stem, test_file)
    if spec is None or spec.loader is None:
        raise LookupError(f"cannot import `{test_file}`")
    module = importlib.util.module_from_spec(spec)
    sys.modules[test_file.stem] = module
    spec.loader.exec_module(module)
    classes = [
        obj
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if obj.__module__ == module.__name__ and getattr(obj, "connector_class", None)
    ]
    ours = [c for c in classes if issubclass(c, LakeflowConnectTests)]
    if ours:
        return ours[0]
    if not classes:
        raise LookupError(f"`{test_file.name}` has no test class with a connector_class")
    # A test class on another suite (an upstream checkout's own): the same hooks, on ours.
    from skillpack.testing.write_back import LakeflowConnectWriteBackTests

    found = classes[0]
    # Every setting our suites declare (config, replay_config, simulator_source, ...) that
    # the foreign class sets, so both read the same source the same way.
    hooks = {
        name
        for suite in (LakeflowConnectTests, LakeflowConnectWriteBackTests)
        for name in suite.__annotations__
    }
    attrs = {h: getattr(found, h) for h in sorted(hooks) if getattr(found, h, None) is not None}
    if "local_service" in attrs:
        attrs["local_service"] = staticmethod(attrs["local_service"])
    attrs["__module__"] = module.__name__
    return type(found.__name__, (LakeflowConnectWriteBackTests, LakeflowConnectTests), attrs)


def _why_no_writes(cls: Any, mode: str) -> str | None:
    from skillpack.testing import config as _config

    if getattr(cls, "test_utils", None) is None:
        error = getattr(cls, "_utils_error", None)
        return error or "the source has no write-back utilities (test_utils_class)"
    if _config.is_production(cls.config or {}):
        return "the config is marked `environment: production`: nothing is written"
    if _config.is_live(mode):
        return None
    if getattr(cls, "_local_service_started", False):
        return None  # a throwaway local server of the test class answers offline
    return "offline with no local service: the source cannot change (run live)"


def _visibility(cls: Any, asked: float | None) -> float:
    if asked is not None:
        return float(asked)
    if getattr(cls, "_local_service_started", False):
        return _LOCAL_VISIBILITY_S  # an in-process server shows a write at once
    return float(getattr(cls, "write_visibility_timeout_s", 30.0))


def run(job: dict[str, Any]) -> dict[str, Any]:
    from skillpack.incremental._checks import TableChecker
    from skillpack.incremental._model import INCREMENTAL_TYPES, Settings
    from skillpack.sdk.redaction import secret_values
    from skillpack.testing import config as _config

    for root in reversed(job.get("import_roots", [])):
        sys.path.insert(0, root)
    mode = _config.get_mode()
    cls = _test_class(Path(job["test_file"]))
    settings = Settings(**job.get("settings", {}))
    cls.setup_class()
    try:
        if cls._init_error:
            raise RuntimeError(cls._init_error)
        settings.visibility_timeout_s = _visibility(cls, job.get("visibility_timeout_s"))
        connector = cls.connector
        simulator = getattr(cls, "_spec_simulator", None)
        driver: Any = (
            SimulatorDriver(simulator)
            if simulator is not None
            else UtilsDriver(cls, _why_no_writes(cls, mode))
        )
        wanted = job.get("tables")
        tables = []
        for table in connector.list_tables():
            if wanted is not None and table not in wanted:
                continue
            options = (cls.table_configs or {}).get(table, {})
            kind = connector.read_table_metadata(table, options).get("ingestion_type")
            if kind in INCREMENTAL_TYPES:
                tables.append((table, options))
        reports = []
        for table, options in tables:
            checker = TableChecker(
                lambda: cls.connector_class(cls.config),
                connector,
                driver,
                table,
                options,
                settings,
            )
            reports.append(asdict(checker.run()))
        unknown = sorted(set(wanted or []) - {t for t, _ in tables})
        return {
            "mode": mode,
            "tables": reports,
            "unknown_tables": unknown,
            "connector_file": inspect.getfile(cls.connector_class),
            "secrets": sorted(secret_values(cls.config or {})),
        }
    finally:
        cls.teardown_class()


def main() -> int:
    job = json.loads(sys.stdin.read())
    # The connector's own prints must not corrupt the protocol line.
    with contextlib.redirect_stdout(sys.stderr):
        try:
            result = run(job)
        except Exception as exc:
            _emit({"error": f"{type(exc).__name__}: {exc}"[:2000]}, [])
            return 1
    _emit({"result": result}, result.pop("secrets"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
