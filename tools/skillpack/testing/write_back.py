"""Write-back testing: write to the source, read it back through the connector, verify.

Mix the tests in before the generic suite and name the utilities class::

    class TestMyConnector(LakeflowConnectWriteBackTests, LakeflowConnectTests):
        connector_class = MyLakeflowConnect
        test_utils_class = MyTestUtils

The three tests that change the source (``test_write_to_source``,
``test_incremental_after_write``, ``test_delete_and_read_deletes``) run only when
``CONNECTOR_TEST_MODE`` is ``live`` (or ``record``, itself a live run), and refuse a
config marked ``environment: production``. After the class, ``cleanup()`` of the
utilities runs, if it has one, so no test data is left behind.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from skillpack.testing import config as _config
from skillpack.testing._failures import fail_all
from skillpack.testing._read_checks import INCREMENTAL_TYPES
from skillpack.testing._reads import SuiteFailure
from skillpack.testing.causes import tagged
from skillpack.testing.eventually import EventuallyTimeout, eventually

WriteResult = tuple[bool, list[dict[str, Any]], dict[str, str]]

_MISSING = object()


class LakeflowConnectWriteTestUtils:
    """Base for a source's write-back utilities; every method is a safe no-op by default.

    Override what the source supports. ``generate_rows_and_write`` and ``delete_rows``
    return ``(success, rows, column_mapping)`` where ``column_mapping`` maps each field
    of ``rows`` to its dot-path in the records the connector reads back.
    """

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options

    def list_insertable_tables(self) -> list[str]:
        """Tables the utilities can write rows to."""
        return []

    def generate_rows_and_write(self, table_name: str, number_of_rows: int) -> WriteResult:
        """Write ``number_of_rows`` generated rows; return (success, rows, column_mapping)."""
        return False, [], {}

    def list_deletable_tables(self) -> list[str]:
        """``cdc_with_deletes`` tables whose rows the utilities can delete."""
        return []

    def delete_rows(self, table_name: str, number_of_rows: int) -> WriteResult:
        """Delete rows (write some first); return (success, deleted_rows, column_mapping)."""
        return False, [], {}

    def cleanup(self) -> None:
        """Remove every row these utilities wrote. Called once after the test class."""


def resolve_path(record: Any, path: str) -> Any:
    """Follow a dot-path (``properties.email``) into nested dicts; ``_MISSING`` if absent."""
    value = record
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _same(written: Any, read: Any) -> bool:
    # Sources often echo numbers as strings or the reverse; compare the text form too.
    return written == read or str(written) == str(read)


def find_rows(
    rows: list[dict[str, Any]], mapping: dict[str, str], records: list[dict[str, Any]], label: str
) -> list[dict[str, Any]]:
    """Return the rows not found in ``records``; a mapping path absent everywhere fails.

    A row is found when one record has, at every mapped path, the written value.
    """
    if not mapping:
        raise SuiteFailure("mapping-empty", f"{label}: column_mapping is empty")
    if records:
        for field, path in mapping.items():
            if all(resolve_path(r, path) is _MISSING for r in records):
                raise SuiteFailure(
                    "mapping-path-missing",
                    f"{label}: column_mapping `{field}` -> `{path}`: no record read back has "
                    f"the path `{path}`",
                )
    missing = []
    for row in rows:
        wanted = {path: row.get(field) for field, path in mapping.items() if field in row}
        if not any(
            all(_same(v, resolve_path(rec, p)) for p, v in wanted.items()) for rec in records
        ):
            missing.append(row)
    return missing


class LakeflowConnectWriteBackTests:
    """Write-back tests; mix in before ``LakeflowConnectTests`` and set ``test_utils_class``."""

    test_utils_class: ClassVar[type | None] = None
    #: seconds to wait for a write to show in a read (polling, not sleeping)
    write_visibility_timeout_s: ClassVar[float] = 30.0

    @classmethod
    def setup_class(cls) -> None:
        super().setup_class()  # type: ignore[misc]
        cls.test_utils = None
        cls._utils_error = None
        if cls.test_utils_class is None or cls.config is None:
            return
        try:
            cls.test_utils = cls.test_utils_class(cls.config)
        except Exception as exc:
            cls._utils_error = f"{cls.test_utils_class.__name__}(config) raised {exc!r}"

    @classmethod
    def teardown_class(cls) -> None:
        try:
            cleanup = getattr(cls.test_utils, "cleanup", None)
            if callable(cleanup) and getattr(cls, "_wrote", False):
                cleanup()
        finally:
            super().teardown_class()  # type: ignore[misc]

    # ---------------------------------------------------------------- helpers

    def _utils(self) -> Any:
        self._require_connector()  # type: ignore[attr-defined]
        if self.test_utils_class is None:
            pytest.skip("no test_utils_class set")
        if self._utils_error:
            pytest.fail(tagged("connector-init", self._utils_error), pytrace=False)
        return self.test_utils

    def _mutating(self) -> Any:
        if not _config.is_live(self._mode):  # type: ignore[attr-defined]
            pytest.skip(f"writes to the source: set {_config.MODE_ENV}=live to run")
        if _config.is_production(self.config or {}):  # type: ignore[attr-defined]
            pytest.fail(
                tagged(
                    "production-config",
                    "refusing to write: the config is marked `environment: production`",
                ),
                pytrace=False,
            )
        utils = self._utils()
        type(self)._wrote = True
        return utils

    def _write(self, utils: Any, table: str, n: int, *, delete: bool = False) -> WriteResult:
        method = "delete_rows" if delete else "generate_rows_and_write"
        label = f"{method}(`{table}`, {n})"
        result = getattr(utils, method)(table, n)
        if not isinstance(result, tuple) or len(result) != 3:
            raise SuiteFailure(
                "write-shape", f"{label} returned {result!r:.80}, expected a 3-tuple"
            )
        ok, rows, mapping = result
        if not isinstance(rows, list) or not isinstance(mapping, dict):
            raise SuiteFailure("write-shape", f"{label}: rows must be a list, mapping a dict")
        if not ok:
            raise SuiteFailure("write-failed", f"{label} reported success=False")
        if not rows:
            raise SuiteFailure("write-shape", f"{label} returned no rows")
        if not mapping:
            raise SuiteFailure("mapping-empty", f"{label}: column_mapping is empty")
        return ok, rows, mapping

    def _fresh_connector(self) -> Any:
        # A new instance proves the offset alone carries the state between runs.
        return self.connector_class(self.config)  # type: ignore[attr-defined]

    def _kind(self, table: str) -> str:
        return self._metadata(table).get("ingestion_type", "")  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ tests

    def test_list_insertable_tables(self) -> None:
        """Every insertable table is one the connector lists."""
        utils = self._utils()
        tables = set(self._tables())  # type: ignore[attr-defined]
        # a table the suite leaves unchecked (``unchecked_tables``) is still one it lists
        tables |= set(getattr(self, "unchecked_tables", None) or ())
        unknown = [t for t in utils.list_insertable_tables() if t not in tables]
        fail_all(
            [tagged("insertable-unknown", f"insertable tables {unknown} not in list_tables()")]
            * bool(unknown)
        )

    def test_list_deletable_tables(self) -> None:
        """Every deletable table is listed and has ingestion type cdc_with_deletes."""
        utils = self._utils()
        if not hasattr(utils, "list_deletable_tables"):
            pytest.skip("the test utilities do not implement list_deletable_tables")
        tables = set(self._tables())  # type: ignore[attr-defined]
        errors = []
        for table in utils.list_deletable_tables():
            if table not in tables:
                errors.append(tagged("insertable-unknown", f"deletable `{table}` not listed"))
            elif self._kind(table) != "cdc_with_deletes":
                errors.append(
                    tagged(
                        "deletable-not-cdc",
                        f"deletable `{table}` has ingestion_type `{self._kind(table)}`",
                    )
                )
        fail_all(errors)

    def test_write_to_source(self) -> None:
        """Each insertable table accepts generated rows and returns a usable mapping."""
        utils = self._mutating()
        errors = []
        for table in utils.list_insertable_tables():
            try:
                self._write(utils, table, 2)
            except SuiteFailure as exc:
                errors.append(str(exc))
        fail_all(errors)

    def test_incremental_after_write(self) -> None:
        """A row written after a full read shows up in a read from the saved offset."""
        utils = self._mutating()
        errors = []
        for table in utils.list_insertable_tables():
            try:
                self._check_incremental(utils, table)
            except SuiteFailure as exc:
                errors.append(str(exc))
        fail_all(errors)

    def _check_incremental(self, utils: Any, table: str) -> None:
        incremental = self._kind(table) in INCREMENTAL_TYPES
        # From {} explicitly: a fresh read, never the suite's kept answer from earlier tests.
        _, offset, _ = self._read_to_end(table, {}) if incremental else (None, None, 0)  # type: ignore[attr-defined]
        _, rows, mapping = self._write(utils, table, 1)
        label = f"table `{table}`"

        def read_back() -> list[dict[str, Any]]:
            records, _, _ = self._read_to_end(table, offset, connector=self._fresh_connector())
            missing = find_rows(rows, mapping, records, label)
            assert not missing, f"{len(missing)} written rows not read back yet"
            return records

        try:
            eventually(read_back, timeout=self.write_visibility_timeout_s, message="written row")
        except EventuallyTimeout as exc:
            where = f"from offset {offset!r}" if incremental else "in a full read"
            raise SuiteFailure(
                "written-row-missing", f"{label}: the written row was not read back {where}: {exc}"
            ) from None

    def test_delete_and_read_deletes(self) -> None:
        """A deleted row shows up in read_table_deletes from the offset saved before it."""
        utils = self._mutating()
        if not hasattr(utils, "list_deletable_tables") or not hasattr(utils, "delete_rows"):
            pytest.skip("the test utilities do not implement deleting rows")
        tables = utils.list_deletable_tables()
        if not tables:
            pytest.skip("no deletable tables")
        errors = []
        for table in tables[:1]:
            try:
                self._check_delete(utils, table)
            except SuiteFailure as exc:
                errors.append(str(exc))
        fail_all(errors)

    def _check_delete(self, utils: Any, table: str) -> None:
        _, offset, _ = self._read_to_end(table, deletes=True)  # type: ignore[attr-defined]
        _, rows, mapping = self._write(utils, table, 1, delete=True)
        label = f"table `{table}` deletes"

        def read_back() -> bool:
            records, _, _ = self._read_to_end(
                table, offset, deletes=True, connector=self._fresh_connector()
            )
            missing = find_rows(rows, mapping, records, label)
            assert not missing, f"{len(missing)} deleted rows not in read_table_deletes yet"
            return True

        try:
            eventually(read_back, timeout=self.write_visibility_timeout_s, message="deleted row")
        except EventuallyTimeout as exc:
            raise SuiteFailure("delete-missing", f"{label}: {exc}") from None
