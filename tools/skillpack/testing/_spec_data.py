"""Deterministic records for the spec-driven simulator, generated from a table's schema.

Record ``i`` (from 1) gets, per column: a unique key (``orders-0007`` or ``7``), a cursor that
grows with ``i`` (an ISO timestamp for text and timestamp columns, ``i`` for numbers), and
otherwise a value of the column's type, never null, so the suite's checks on types, keys,
cursors and always-empty columns all have something to look at. Deleted records continue the
numbering, so their keys are new and their cursors come after every live record.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from skillpack.sdk.schema import DataType, StructType

_EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)
_INTEGERS = ("byte", "short", "integer", "long")
_NUMBERS = ("double", "float", "decimal")


def instant(i: int) -> str:
    """The ``i``-th minute after 2024-01-01 as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return (_EPOCH + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ")


def cursor_value(data_type: DataType | None, i: int) -> Any:
    """A cursor value that grows with ``i``: a number for numeric columns, else a timestamp."""
    name = data_type.typeName() if data_type is not None else "string"
    if name in _INTEGERS:
        return i
    if name in _NUMBERS:
        return float(i)
    if name == "date":
        return (_EPOCH + timedelta(days=i)).strftime("%Y-%m-%d")
    return instant(i)


def key_value(data_type: DataType | None, table: str, i: int) -> Any:
    """A primary-key value unique per ``i``."""
    name = data_type.typeName() if data_type is not None else "string"
    if name in _INTEGERS:
        return i
    if name in _NUMBERS:
        return float(i)
    return f"{table}-{i:04d}"


def value(data_type: DataType, name: str, i: int) -> Any:
    """A non-null value of ``data_type`` for column ``name`` of record ``i``."""
    kind = data_type.typeName()
    if kind == "string":
        return f"{name}-{i}"
    if kind in _INTEGERS:
        return i
    if kind in _NUMBERS:
        return i + 0.5
    if kind == "boolean":
        return i % 2 == 0
    if kind in ("timestamp", "timestamp_ntz"):
        return instant(i)
    if kind == "date":
        return (_EPOCH + timedelta(days=i)).strftime("%Y-%m-%d")
    if kind == "binary":
        return "c2ltdWxhdGVk"
    if kind == "array":
        return [value(data_type.elementType, name, i)]  # type: ignore[attr-defined]
    if kind == "map":
        return {f"{name}-key": value(data_type.valueType, name, i)}  # type: ignore[attr-defined]
    if kind == "struct":
        return {f.name: value(f.dataType, f.name, i) for f in data_type.fields}  # type: ignore[attr-defined]
    return None


def _field_type(schema: StructType, name: str | None) -> DataType | None:
    if name is None:
        return None
    top = name.split(".")[0]
    return next((f.dataType for f in schema.fields if f.name == top), None)


def generate(
    schema: StructType, table: str, count: int, keys: tuple[str, ...], cursor: str | None
) -> list[dict[str, Any]]:
    """``count`` records of ``schema``, ordered by ``cursor`` (when there is one)."""
    rows = []
    for i in range(1, count + 1):
        row = {}
        for f in schema.fields:
            if f.name in keys:
                row[f.name] = key_value(f.dataType, table, i)
            elif f.name == cursor:
                row[f.name] = cursor_value(f.dataType, i)
            else:
                row[f.name] = value(f.dataType, f.name, i)
        rows.append(row)
    return rows


def tombstones(
    schema: StructType | None,
    table: str,
    after: int,
    count: int,
    keys: tuple[str, ...],
    cursor: str,
    cursor_type: DataType | None,
    flag: str | None = None,
) -> list[dict[str, Any]]:
    """``count`` deleted records numbered after ``after``: keys, cursor and the flag if given."""
    rows = []
    for i in range(after + 1, after + count + 1):
        row: dict[str, Any] = {
            k: key_value(_field_type(schema, k) if schema else None, table, i) for k in keys
        }
        row[cursor] = cursor_value(cursor_type, i)
        if flag:
            row[flag] = True
        rows.append(row)
    return rows
