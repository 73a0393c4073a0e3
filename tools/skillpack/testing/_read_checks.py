"""The read checks of the generic suite, in the checkout's helper names.

Test files written for a Lakeflow Community Connectors checkout call some of these helpers
(``_validate_read``, ``_validate_column_population``, ``_non_partitioned_tables``), so they
keep those names and contracts: a problem comes back as a tagged line, or ``None``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from skillpack.sdk.connector import INGESTION_TYPES
from skillpack.sdk.schema import record_violations
from skillpack.testing import _checkout
from skillpack.testing._failures import describe_exception, implements_deletes, json_offset
from skillpack.testing._reads import SuiteFailure, bounded_read
from skillpack.testing._records import allowed, check_population, check_records
from skillpack.testing.causes import tagged

INCREMENTAL_TYPES = ("cdc", "cdc_with_deletes", "append")


class ReadChecks:
    """Helpers ``LakeflowConnectTests`` inherits; they use its connector, options and reads."""

    def _is_partitioned(self, table: str) -> bool:
        """True when ``table`` is read through partitions rather than ``read_table``."""
        conn = self.connector
        if isinstance(conn, _checkout.partitioned_stream_classes()):
            return bool(conn.is_partitioned(table))
        return isinstance(conn, _checkout.partition_classes())

    def _partitioned_tables(self) -> list[str]:
        return [t for t in self._tables() if self._is_partitioned(t)]

    def _non_partitioned_tables(self) -> list[str]:
        return [t for t in self._tables() if not self._is_partitioned(t)]

    def _first_read_empty_fails(self, table: str, kind: Any) -> bool:
        """An empty first read is a defect only offline, where the data is known to exist."""
        offline = self._mode == _checkout.MODE_SIMULATE and (
            bool(self.simulator_source) or not self._in_checkout()
        )
        return (
            offline
            and kind in INCREMENTAL_TYPES
            and not allowed(self.allow_empty_first_read, table)
        )

    def _validate_read(
        self, table: str, read_fn: Callable[..., Any], method_name: str, is_read_table: bool = True
    ) -> str | None:
        """Check one first read (from ``{}``); the problem as a tagged line, or ``None``."""
        opts = self._opts(table)
        try:
            result = bounded_read(
                lambda: self._watched(table, lambda: read_fn(table, {}, opts)),
                cap=self.sample_records,
                timeout=self.read_timeout_s,
                label=f"{method_name}(`{table}`, {{}})",
            )
            json_offset(table, method_name, result.offset)
            try:
                meta = self._metadata(table) or {}
            except Exception:
                meta = {}
            kind = meta.get("ingestion_type")
            if is_read_table and not result.records and self._first_read_empty_fails(table, kind):
                return tagged(
                    "empty-read",
                    f"table `{table}`: the first {method_name}() returned no records in "
                    f"simulate mode for a `{kind}` table",
                )
            raw = self.connector.get_table_schema(table, opts)
            return check_records(
                table,
                raw,
                meta,
                result.records,
                method=method_name,
                is_read_table=is_read_table,
                twins=lambda record: self._twins(table, record),
            )
        except SuiteFailure as exc:
            return str(exc)
        except Exception as exc:
            return describe_exception(table, exc)

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

    def _validate_column_population(self, table: str) -> str | None:
        """Columns no sampled record fills; ``None`` if the first read fails (shown elsewhere)."""
        try:
            raw = self.connector.get_table_schema(table, self._opts(table))
        except Exception as exc:
            return describe_exception(table, exc)
        try:
            records = self._read(table, {}).records
        except Exception:
            return None
        return check_population(table, raw, records, self.allow_null_columns)

    def _skip_unless_tables(self, tables: list[str], why: str) -> list[str]:
        if not tables:
            pytest.skip(why)
        return tables

    def _check_metadata(self, table: str) -> None:
        meta = self._metadata(table)
        if not isinstance(meta, dict):
            raise SuiteFailure("metadata-invalid", f"table `{table}`: got {type(meta).__name__}")
        if self._metadata(table) != meta:
            raise SuiteFailure(
                "metadata-invalid", f"table `{table}`: metadata differs between two calls"
            )
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
        if cursor and isinstance(cursor, str) and cursor.split(".")[0] not in names:
            raise SuiteFailure(
                "cursor-missing", f"table `{table}`: cursor_field `{cursor}` not in schema"
            )
        if kind == "cdc_with_deletes" and not implements_deletes(self.connector):
            raise SuiteFailure(
                "deletes-missing",
                f"table `{table}` is cdc_with_deletes but {type(self.connector).__name__} "
                "does not implement read_table_deletes",
            )
