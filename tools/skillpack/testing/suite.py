"""The generic suite every connector runs: ``class TestX(LakeflowConnectTests)``.

One line turns it on::

    class TestMyConnector(LakeflowConnectTests):
        connector_class = MyLakeflowConnect

Class-level hooks (same names and meaning as upstream test files):

- ``config``: init options; loaded by ``_load_config()`` when left ``None``.
- ``table_configs``: per-table options; loaded from ``configs/dev_table_config.json``
  beside the test file when left ``None``.
- ``sample_records``: records consumed per read (default 200).
- ``replay_config`` (or a ``_replay_config()`` classmethod): stand-in credentials for
  offline runs.
- ``simulator_source``: NAME of a simulator spec ``source_simulator/specs/NAME/``
  (``endpoints.yaml`` + ``corpus/``); the checkout's own simulator serves it in simulate mode.
- ``allow_empty_first_read`` / ``allow_null_columns``: relax those two checks, for every
  table (``True``) or for the tables named (a set; a dict of table -> columns).
- ``max_read_iterations`` (``read_termination_max_iterations``) / ``read_timeout_s``: bounds
  so a looping connector fails.
- ``local_service``: ``callable(mode) -> context manager yielding config overrides``
  (or ``None`` in modes where it is not used); starts a real local server for the run.

Every failure message starts with a cause code from ``skillpack.testing.causes``.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

from skillpack.sdk.schema import StructType, coerce_schema
from skillpack.testing import _checkout
from skillpack.testing import config as _config
from skillpack.testing._failures import describe_exception, fail_all, implements_deletes
from skillpack.testing._read_checks import INCREMENTAL_TYPES, ReadChecks
from skillpack.testing._reads import (
    ReadResult,
    SuiteFailure,
    bounded_read,
    offsets_equal,
    read_until_stable,
)
from skillpack.testing._suite_config import SuiteConfig
from skillpack.testing.causes import tagged

#: hooks setup_class fills in; teardown_class puts back what the test file declared
_RESOLVED_HOOKS = ("config", "table_configs")
_INHERITED = object()
_INVALID_TABLE = "__no_such_table_9z__"


class LakeflowConnectTests(ReadChecks, SuiteConfig):
    """Generic contract tests for one connector class; subclass and set ``connector_class``."""

    connector_class: ClassVar[type | None] = None
    config: ClassVar[dict[str, Any] | None] = None
    table_configs: ClassVar[dict[str, dict[str, Any]] | None] = None
    sample_records: ClassVar[int] = 200
    replay_config: ClassVar[dict[str, Any] | None] = None
    simulator_source: ClassVar[str | None] = None
    allow_empty_first_read: ClassVar[bool | frozenset[str]] = False
    allow_null_columns: ClassVar[bool | dict[str, set[str]]] = False
    max_read_iterations: ClassVar[int] = 50
    read_termination_max_iterations: ClassVar[int | None] = None
    #: when set, incremental tables are also read with this ``max_records_per_batch`` option
    max_records_per_batch: ClassVar[int | None] = None
    # Passed to the checkout's simulator, as its own suite does.
    record_replay_ignore_query_params: ClassVar[frozenset[str]] = frozenset()
    read_timeout_s: ClassVar[float] = 60.0
    local_service: ClassVar[Callable[[str], Any] | None] = None
    test_utils_class: ClassVar[type | None] = None

    # ------------------------------------------------------------------ setup

    @classmethod
    def setup_class(cls) -> None:
        if cls.connector_class is None:
            raise TypeError(f"{cls.__name__}: set connector_class to the connector to test")
        cls._declared_hooks = {name: cls.__dict__.get(name, _INHERITED) for name in _RESOLVED_HOOKS}
        cls._mode = cls._resolve_mode()
        cls._config_source = "class attribute" if cls.config is not None else ""
        cls._stack = contextlib.ExitStack()
        #: True when ``local_service`` started a server and supplied (part of) the config
        cls._local_service_started = False
        cls._init_error = None
        cls.connector = None
        # What the reads of this run saw, so later tests reuse it instead of reading again.
        cls._reads_seen: set[str] = set()
        cls._options_mutated: dict[str, Any] = {}
        cls._final_offsets: dict[str, Any] = {}
        cls._first_offsets: dict[str, Any] = {}
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
        # An empty config that was given on purpose (e.g. ``replay_config = {}``) is a config.
        if not cls.config and not cls._config_source and _config.is_live(cls._mode):
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
            lambda: self._watched(table, lambda: fn(table, offset, opts)),
            cap=self.sample_records,
            timeout=self.read_timeout_s,
            label=f"{method}(`{table}`, {offset!r})",
        )

    def _watched(self, table: str, call: Callable[[], Any]) -> Any:
        """Run one read; note that ``table`` was read and whether its options changed."""
        opts = self._opts(table)
        before = copy.deepcopy(opts)
        try:
            return call()
        finally:
            cls = type(self)
            cls._reads_seen.add(table)
            if opts != before:
                cls._options_mutated.setdefault(table, copy.deepcopy(opts))

    def _read_to_end(
        self, table: str, start: Any = None, *, deletes: bool = False, connector: Any = None
    ) -> tuple[list[dict[str, Any]], Any, int]:
        """Read ``table`` from ``start`` until the offset is stable (bounded)."""
        method = "read_table_deletes" if deletes else "read_table"
        cap = self.read_termination_max_iterations or self.max_read_iterations
        if start is None and not deletes and connector is None:
            # From the start with the shared connector: the answer is kept for later tests.
            cls = type(self)
            if table not in cls._final_offsets:
                first = self._read(table, {})
                cls._first_offsets[table] = first.offset
                if offsets_equal(first.offset, {}):
                    cls._final_offsets[table] = (first.records, {}, 1)
                else:
                    rest, final, n = self._read_to_end(table, first.offset)
                    cls._final_offsets[table] = (first.records + rest, final, n + 1)
            return cls._final_offsets[table]
        return read_until_stable(
            lambda off: self._read(table, off, deletes=deletes, connector=connector),
            {} if start is None else start,
            max_iterations=cap,
            label=f"{method}(`{table}`)",
        )

    def _each_table(self, check: Callable[[str], None], tables: list[str] | None = None) -> None:
        errors = []
        for table in self._tables() if tables is None else tables:
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

    def test_partition_requires_lakeflow_connect(self) -> None:
        """A connector with the partition mix-ins is also a LakeflowConnect."""
        cls = type(self._require_connector())
        mixins = _checkout.partition_classes()
        if not issubclass(cls, mixins):
            pytest.skip("the connector reads no table through partitions")
        if not issubclass(cls, _checkout.connect_classes()):
            fail_all(
                [
                    tagged(
                        "partition-contract",
                        f"{cls.__name__} has a partition mix-in but is not a LakeflowConnect: "
                        f"declare `class {cls.__name__}(LakeflowConnect, SupportsPartition)`",
                    )
                ]
            )

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
            "read_table": lambda: conn.read_table(_INVALID_TABLE, {}, {}),
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
        """Every table has a schema with unique, non-empty field names, the same on each call."""

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
            if self._schema(table) != schema:
                raise SuiteFailure(
                    "schema-invalid",
                    f"table `{table}`: schema differs between two calls; derive it from the "
                    "table name and options only",
                )

        self._each_table(check)

    def test_read_table_metadata(self) -> None:
        """Metadata is legal, stable, and consistent with the schema and the methods present."""
        self._each_table(self._check_metadata)

    def test_read_table(self) -> None:
        """read_table returns (iterator, offset) and its records fit the schema and the keys."""
        tables = self._skip_unless_tables(
            self._non_partitioned_tables(), "every table is read through partitions"
        )
        fail_all(
            [
                err
                for t in tables
                if (err := self._validate_read(t, self.connector.read_table, "read_table"))
            ]
        )

    def test_read_terminates(self) -> None:
        """Reading from the start, the offset stops changing within the iteration cap."""

        def check(table: str) -> None:
            self._read_to_end(table)
            first = self._first_offsets.get(table, {})
            if first is None and self._metadata(table).get("ingestion_type") != "snapshot":
                raise SuiteFailure(
                    "read-shape",
                    f"table `{table}`: read_table returned offset None for an incremental "
                    "table; return an offset dict",
                )

        self._each_table(
            check,
            self._skip_unless_tables(
                self._non_partitioned_tables(), "every table is read through partitions"
            ),
        )

    def test_every_column_populated_by_at_least_one_record(self) -> None:
        """Offline, every schema column is filled in at least one record of the first read."""
        tables = self._skip_unless_tables(
            self._non_partitioned_tables(), "every table is read through partitions"
        )
        if self._mode != _checkout.MODE_SIMULATE:
            pytest.skip("column coverage is checked offline only, where the data is fixed")
        fail_all([err for t in tables if (err := self._validate_column_population(t))])

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

        self._each_table(
            check,
            self._skip_unless_tables(
                self._non_partitioned_tables(), "every table is read through partitions"
            ),
        )

    def test_max_records_per_batch_respected(self) -> None:
        """With ``max_records_per_batch`` set, every read stays within it and reading still ends."""
        size = self.max_records_per_batch
        if not size:
            pytest.skip("set max_records_per_batch on the test class to check batch sizes")
        cap = self.read_termination_max_iterations or self.max_read_iterations

        def check(table: str) -> None:
            if self._metadata(table).get("ingestion_type") not in INCREMENTAL_TYPES:
                return
            opts = {**self._opts(table), "max_records_per_batch": str(size)}
            offset: Any = {}
            for _ in range(cap):
                got = bounded_read(
                    lambda off=offset: self.connector.read_table(table, off, opts),
                    cap=size,
                    timeout=self.read_timeout_s,
                    label=f"read_table(`{table}`, {offset!r})",
                )
                if not got.exhausted:
                    raise SuiteFailure(
                        "batch-too-large",
                        f"table `{table}`: a read from {offset!r} returned more than "
                        f"max_records_per_batch={size} records",
                    )
                if offsets_equal(got.offset, offset):
                    return
                offset = got.offset
            raise SuiteFailure(
                "cursor-stalled",
                f"table `{table}`: batches of {size} still coming after {cap} reads",
            )

        self._each_table(
            check,
            self._skip_unless_tables(
                self._non_partitioned_tables(), "every table is read through partitions"
            ),
        )

    def test_read_table_deletes(self) -> None:
        """cdc_with_deletes tables read deletes in the same (iterator, offset) shape, and end."""
        if not implements_deletes(self._require_connector()):
            pytest.skip("the connector does not implement read_table_deletes")
        tables = self._skip_unless_tables(
            [
                t
                for t in self._non_partitioned_tables()
                if self._metadata(t).get("ingestion_type") == "cdc_with_deletes"
            ],
            "no cdc_with_deletes table",
        )
        reader = self.connector.read_table_deletes

        def check(table: str) -> None:
            err = self._validate_read(table, reader, "read_table_deletes", is_read_table=False)
            if err:
                raise SuiteFailure(err[1 : err.index("]")], err[err.index("]") + 2 :])
            self._read_to_end(table, deletes=True)

        self._each_table(check, tables)

    def test_table_options_respected(self) -> None:
        """No method changes the table_options dict it is given (earlier reads were watched)."""
        partitioned = set(self._partitioned_tables())

        def check(table: str) -> None:
            if self.table_configs is None:
                type(self).table_configs = {}
            opts = self.table_configs.setdefault(table, {})
            before = copy.deepcopy(opts)
            self.connector.read_table_metadata(table, opts)
            self.connector.get_table_schema(table, opts)
            if table not in partitioned and table not in self._reads_seen:
                self._read(table, {})
            changed = self._options_mutated.get(table, opts if opts != before else None)
            if changed is not None:
                raise SuiteFailure(
                    "options-mutated", f"table `{table}`: table_options changed to {changed!r}"
                )

        self._each_table(check)
