"""The generic suite every connector runs: ``class TestX(LakeflowConnectTests)``.

One line turns it on::

    class TestMyConnector(LakeflowConnectTests):
        connector_class = MyLakeflowConnect

Class-level hooks (same names and meaning as upstream test files):

- ``config``: init options; loaded by ``_load_config()`` when left ``None``.
- ``table_configs``: per-table options; loaded from ``configs/dev_table_config.json``
  beside the test file when left ``None``.
- ``sample_records``: records consumed per read (default 200).
- ``replay_config``: stand-in credentials for offline runs.
- ``allow_empty_first_read`` / ``allow_null_columns``: relax those two checks.
- ``max_read_iterations`` / ``read_timeout_s``: bounds so a looping connector fails.
- ``local_service``: ``callable(mode) -> context manager yielding config overrides``
  (or ``None`` in modes where it is not used); starts a real local server for the run.

Every failure message starts with a cause code from ``skillpack.testing.causes``.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest

from skillpack.layout import workspace_for_test_file
from skillpack.sdk.connector import INGESTION_TYPES
from skillpack.sdk.offsets import get_path
from skillpack.sdk.schema import StructType, coerce_schema, record_violations
from skillpack.testing import config as _config
from skillpack.testing._reads import (
    ReadResult,
    SuiteFailure,
    bounded_read,
    offsets_equal,
    read_until_stable,
)
from skillpack.testing.causes import CAUSES, tagged

INCREMENTAL_TYPES = ("cdc", "cdc_with_deletes", "append")
#: hooks setup_class fills in; teardown_class puts back what the test file declared
_RESOLVED_HOOKS = ("config", "table_configs")
_INHERITED = object()
_INVALID_TABLE = "__no_such_table_9z__"


def fail_all(errors: list[str]) -> None:
    """Fail the test with every collected error; the first line keeps its cause code."""
    if errors:
        pytest.fail("\n\n".join(errors), pytrace=False)


class LakeflowConnectTests:
    """Generic contract tests for one connector class; subclass and set ``connector_class``."""

    connector_class: ClassVar[type | None] = None
    config: ClassVar[dict[str, Any] | None] = None
    table_configs: ClassVar[dict[str, dict[str, Any]] | None] = None
    sample_records: ClassVar[int] = 200
    replay_config: ClassVar[dict[str, Any] | None] = None
    allow_empty_first_read: ClassVar[bool] = False
    allow_null_columns: ClassVar[bool] = False
    max_read_iterations: ClassVar[int] = 50
    read_timeout_s: ClassVar[float] = 60.0
    local_service: ClassVar[Callable[[str], Any] | None] = None
    test_utils_class: ClassVar[type | None] = None

    # ------------------------------------------------------------------ setup

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
    def _load_config(cls) -> dict[str, Any]:
        """Config by precedence: env JSON, env path, replay config (simulate), dev config."""
        found = _config.resolve_config(
            mode=_config.get_mode(),
            replay_config=cls.replay_config,
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

    @classmethod
    def setup_class(cls) -> None:
        if cls.connector_class is None:
            raise TypeError(f"{cls.__name__}: set connector_class to the connector to test")
        cls._declared_hooks = {name: cls.__dict__.get(name, _INHERITED) for name in _RESOLVED_HOOKS}
        cls._mode = _config.get_mode()
        cls._config_source = "class attribute" if cls.config is not None else ""
        cls._stack = contextlib.ExitStack()
        #: True when ``local_service`` started a server and supplied (part of) the config
        cls._local_service_started = False
        cls._init_error = None
        cls.connector = None
        try:
            explicit = cls.config is not None or _config.config_from_env() is not None
            config = dict(cls.config) if cls.config is not None else cls._load_config()
            if cls.local_service is not None and not explicit:
                ctx = cls.local_service(cls._mode)
                if ctx is not None:
                    config.update(cls._stack.enter_context(ctx) or {})
                    cls._config_source = cls._config_source or "local service"
                    cls._local_service_started = True
            cls.config = config
            if cls.table_configs is None:
                cls.table_configs = cls._load_table_configs()
            cls._stack.enter_context(cls._http_context(cls._mode))
        except BaseException:
            cls._stack.close()
            raise
        if not cls.config and _config.is_live(cls._mode):
            cls._init_error = tagged(
                "config-missing",
                f"no config for {cls.__name__} in {cls._mode} mode: set "
                f"{_config.CONFIG_JSON_ENV} or {_config.CONFIG_PATH_ENV}, or write "
                f"{cls._dev_config_paths()[0]}",
            )
            return
        try:
            cls.connector = cls.connector_class(cls.config)
        except Exception as exc:
            cls._init_error = tagged(
                "connector-init",
                f"{cls.connector_class.__name__}(config) raised {type(exc).__name__}: {exc}",
            )

    @classmethod
    def teardown_class(cls) -> None:
        stack = getattr(cls, "_stack", None)
        if stack is not None:
            stack.close()
        # Restore the declared hooks so a second run in the same process (the demo,
        # benchmarks) resolves config afresh instead of reusing a stopped server's URL.
        for name, value in getattr(cls, "_declared_hooks", {}).items():
            if value is _INHERITED:
                if name in cls.__dict__:
                    delattr(cls, name)
            else:
                setattr(cls, name, value)

    def _require_connector(self) -> Any:
        if self._init_error:
            if self._init_error.startswith("[config-missing]"):
                pytest.skip(self._init_error)
            pytest.fail(self._init_error, pytrace=False)
        return self.connector

    # ---------------------------------------------------------------- helpers

    def _opts(self, table: str) -> dict[str, Any]:
        # The real dict, not a copy, so test_table_options_respected sees mutations.
        return (self.table_configs or {}).get(table, {})

    def _tables(self) -> list[str]:
        return list(self._require_connector().list_tables())

    def _schema(self, table: str) -> StructType:
        return coerce_schema(self.connector.get_table_schema(table, self._opts(table)))

    def _metadata(self, table: str) -> dict[str, Any]:
        return self.connector.read_table_metadata(table, self._opts(table))

    def _read(
        self, table: str, offset: Any, *, deletes: bool = False, connector: Any = None
    ) -> ReadResult:
        method = "read_table_deletes" if deletes else "read_table"
        fn = getattr(connector or self.connector, method)
        opts = self._opts(table)
        return bounded_read(
            lambda: fn(table, offset, opts),
            cap=self.sample_records,
            timeout=self.read_timeout_s,
            label=f"{method}(`{table}`, {offset!r})",
        )

    def _read_to_end(
        self, table: str, start: Any = None, *, deletes: bool = False, connector: Any = None
    ) -> tuple[list[dict[str, Any]], Any, int]:
        """Read ``table`` from ``start`` until the offset is stable (bounded)."""
        method = "read_table_deletes" if deletes else "read_table"
        return read_until_stable(
            lambda off: self._read(table, off, deletes=deletes, connector=connector),
            start,
            max_iterations=self.max_read_iterations,
            label=f"{method}(`{table}`)",
        )

    def _each_table(self, check: Callable[[str], None]) -> None:
        errors = []
        for table in self._tables():
            try:
                check(table)
            except SuiteFailure as exc:
                errors.append(str(exc))
            except Exception as exc:
                errors.append(describe_exception(table, exc))
        fail_all(errors)

    # ------------------------------------------------------------------ tests

    def test_initialization(self) -> None:
        """The connector builds from the config."""
        assert self._require_connector() is not None

    def test_list_tables(self) -> None:
        """list_tables() returns a non-empty list of unique strings."""
        tables = self._require_connector().list_tables()
        if not isinstance(tables, list) or not tables:
            fail_all([tagged("tables-invalid", f"list_tables() returned {tables!r}")])
        bad = [t for t in tables if not isinstance(t, str)]
        dupes = sorted({t for t in tables if tables.count(t) > 1})
        fail_all(
            [tagged("tables-invalid", f"non-string table names {bad!r}")] * bool(bad)
            + [tagged("tables-invalid", f"duplicate table names {dupes!r}")] * bool(dupes)
        )

    def test_invalid_table_name(self) -> None:
        """Every per-table method raises for a table the source does not have."""
        conn = self._require_connector()
        calls = {
            "get_table_schema": lambda: conn.get_table_schema(_INVALID_TABLE, {}),
            "read_table_metadata": lambda: conn.read_table_metadata(_INVALID_TABLE, {}),
            "read_table": lambda: conn.read_table(_INVALID_TABLE, None, {}),
        }
        errors = []
        for name, call in calls.items():
            try:
                call()
            except Exception:
                continue
            errors.append(
                tagged("unknown-table-accepted", f"{name}(`{_INVALID_TABLE}`) did not raise")
            )
        fail_all(errors)

    def test_get_table_schema(self) -> None:
        """Every table has a schema with unique, non-empty field names."""

        def check(table: str) -> None:
            raw = self.connector.get_table_schema(table, self._opts(table))
            try:
                schema = coerce_schema(raw)
            except Exception as exc:
                raise SuiteFailure("schema-invalid", f"table `{table}`: {exc}") from None
            names = schema.fieldNames()
            if not names:
                raise SuiteFailure("schema-invalid", f"table `{table}`: schema has no fields")
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                raise SuiteFailure("schema-invalid", f"table `{table}`: duplicate fields {dupes}")

        self._each_table(check)

    def test_read_table_metadata(self) -> None:
        """Metadata is legal and consistent with the schema and the methods present."""
        self._each_table(self._check_metadata)

    def _check_metadata(self, table: str) -> None:
        meta = self._metadata(table)
        if not isinstance(meta, dict):
            raise SuiteFailure("metadata-invalid", f"table `{table}`: got {type(meta).__name__}")
        kind = meta.get("ingestion_type")
        if kind not in INGESTION_TYPES:
            raise SuiteFailure(
                "metadata-invalid",
                f"table `{table}`: ingestion_type `{kind}`; "
                f"use one of {', '.join(INGESTION_TYPES)}",
            )
        names = set(self._schema(table).fieldNames())
        keys = meta.get("primary_keys")
        if kind != "append" or keys:
            if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
                raise SuiteFailure(
                    "metadata-invalid",
                    f"table `{table}`: primary_keys must be a non-empty list "
                    f"of names for `{kind}`, got {keys!r}",
                )
            missing = [k for k in keys if k.split(".")[0] not in names]
            if missing:
                raise SuiteFailure(
                    "primary-key-missing",
                    f"table `{table}`: primary keys {missing} not in schema fields {sorted(names)}",
                )
        cursor = meta.get("cursor_field")
        if kind in INCREMENTAL_TYPES and kind != "append" and not cursor:
            raise SuiteFailure("cursor-missing", f"table `{table}`: `{kind}` needs a cursor_field")
        if cursor and cursor.split(".")[0] not in names:
            raise SuiteFailure(
                "cursor-missing", f"table `{table}`: cursor_field `{cursor}` not in schema"
            )
        if kind == "cdc_with_deletes" and not _implements_deletes(self.connector):
            raise SuiteFailure(
                "deletes-missing",
                f"table `{table}` is cdc_with_deletes but {type(self.connector).__name__} "
                "does not implement read_table_deletes",
            )

    def test_read_table(self) -> None:
        """read_table returns (iterator, offset) and its records conform to the schema."""

        def check(table: str) -> None:
            schema = self._schema(table)
            meta = self._metadata(table)
            result = self._read(table, None)
            if not result.records and not self.allow_empty_first_read:
                raise SuiteFailure(
                    "empty-read", f"table `{table}`: the first read returned no records"
                )
            self._check_records(table, schema, meta, result.records)

        self._each_table(check)

    def _twins(self, table: str, record: Any) -> str:
        """`` ; the record fits table `X`'s schema`` when it conforms to another table's schema.

        A record that is another table's is a wrong path (or a simulator serving two tables
        sharing a path alike), never a reason to loosen this table's schema or keys.
        """
        twins = []
        for other in self._tables():
            if other == table:
                continue
            try:
                schema = self._schema(other)
            except Exception:  # another table's own failure is reported by its own check
                continue
            if not record_violations(record, schema):
                twins.append(f"`{other}`")
        return f"; the record fits table {', '.join(twins)}'s schema" if twins else ""

    def _check_records(self, table, schema, meta, records) -> None:
        keys = list(meta.get("primary_keys") or [])
        cursor = meta.get("cursor_field")

        def role(path: str) -> str:
            return " (primary key)" if path in keys else " (cursor)" if path == cursor else ""

        for i, record in enumerate(records):
            violations = record_violations(record, schema)
            if violations:
                shown = "; ".join(
                    f"`{v.path}`{role(v.path)}: expected {v.expected}, got {v.got}"
                    for v in violations[:3]
                )
                raise SuiteFailure(
                    "schema-violation",
                    f"table `{table}` record #{i}: {shown}{self._twins(table, record)}",
                )
            for key in keys:
                if get_path(record, key) is None:
                    raise SuiteFailure(
                        "null-key",
                        f"table `{table}` record #{i} has no value for key `{key}`"
                        + self._twins(table, record),
                    )
            incremental = meta.get("ingestion_type") in INCREMENTAL_TYPES
            if cursor and incremental and get_path(record, cursor) is None:
                raise SuiteFailure(
                    "cursor-missing",
                    f"table `{table}` record #{i} has no cursor `{cursor}`"
                    + self._twins(table, record),
                )
        if records and not self.allow_null_columns:
            empty = [f.name for f in schema.fields if all(r.get(f.name) is None for r in records)]
            if empty:
                raise SuiteFailure(
                    "column-always-null",
                    f"table `{table}`: columns {empty} were empty in all {len(records)} records",
                )

    def test_read_terminates(self) -> None:
        """Reading from the start, the offset stops changing within the iteration cap."""

        def check(table: str) -> None:
            self._read_to_end(table)

        self._each_table(check)

    def test_reread_from_final_offset_is_empty(self) -> None:
        """For incremental tables, a read from the final offset yields nothing new."""

        def check(table: str) -> None:
            meta = self._metadata(table)
            if meta.get("ingestion_type") not in INCREMENTAL_TYPES:
                return
            _, final, _ = self._read_to_end(table)
            again = self._read(table, final)
            if again.records:
                raise SuiteFailure(
                    "reread-not-empty",
                    f"table `{table}`: reading from the final offset {final!r} returned "
                    f"{len(again.records)} records again",
                )
            if not offsets_equal(again.offset, final):
                raise SuiteFailure(
                    "cursor-stalled",
                    f"table `{table}`: offset moved from {final!r} to {again.offset!r} "
                    "without new records",
                )

        self._each_table(check)

    def test_read_table_deletes(self) -> None:
        """cdc_with_deletes tables read deletes in the same (iterator, offset) shape."""

        def check(table: str) -> None:
            if self._metadata(table).get("ingestion_type") != "cdc_with_deletes":
                return
            if not _implements_deletes(self.connector):
                raise SuiteFailure("deletes-missing", f"table `{table}`: no read_table_deletes")
            self._read_to_end(table, deletes=True)

        self._each_table(check)

    def test_table_options_respected(self) -> None:
        """Table options reach the connector unchanged, and schema and metadata are stable."""

        def check(table: str) -> None:
            if self.table_configs is None:
                type(self).table_configs = {}
            opts = self.table_configs.setdefault(table, {})
            before = copy.deepcopy(opts)
            first = self._schema(table)
            self.connector.read_table_metadata(table, opts)
            self.connector.get_table_schema(table, opts)
            self._read(table, None)
            if opts != before:
                raise SuiteFailure(
                    "options-mutated", f"table `{table}`: table_options changed to {opts!r}"
                )
            if self._schema(table) != first:
                raise SuiteFailure(
                    "schema-invalid", f"table `{table}`: schema differs between two calls"
                )

        self._each_table(check)


def _implements_deletes(connector: Any) -> bool:
    """True when the connector overrides read_table_deletes (the base method raises)."""
    method = getattr(type(connector), "read_table_deletes", None)
    if method is None:
        return False
    from skillpack.sdk.connector import LakeflowConnect

    return method is not LakeflowConnect.read_table_deletes


def describe_exception(table: str, exc: Exception) -> str:
    """A tagged line for an exception a connector raised, naming where it arose.

    The cause is the error's own code when the suite knows it (``pagination-loop`` from
    the SDK), ``auth`` for 401/403, else ``connector-error``.
    """
    status = getattr(exc, "status", None) or getattr(
        getattr(exc, "response", None), "status_code", 0
    )
    code = getattr(exc, "code", None)
    if code not in CAUSES:
        code = "auth" if status in (401, 403) else "connector-error"
    where = _connector_frame(exc)
    at = f" at {where}" if where else ""
    return tagged(code, f"table `{table}`: {type(exc).__name__}: {exc}{at}")


def _connector_frame(exc: BaseException) -> str:
    """``path:line`` of the innermost traceback frame in the connector's own code."""
    package = str(Path(__file__).resolve().parents[1])
    found = ""
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        ours = filename.startswith(package) and "/examples/workspace/" not in filename
        library = "site-packages" in filename or "/lib/python" in filename
        if not ours and not library:
            found = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found
