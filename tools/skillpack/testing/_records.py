"""Checks on the records a read returned, shared by the table and the partition tests.

Each check returns a tagged message (``[cause] ...``) or ``None``. When the framework's own
converter is importable (a Lakeflow Community Connectors checkout) it decides whether a
record fits its schema, since it is what the pipeline applies; otherwise the pack's own
checker (``skillpack.sdk.schema.record_violations``) does.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from skillpack.sdk.offsets import get_path
from skillpack.sdk.schema import coerce_schema, record_violations
from skillpack.testing._checkout import checkout_parse_value
from skillpack.testing.causes import tagged

KEYED_TYPES = ("cdc", "cdc_with_deletes")
INCREMENTAL = ("cdc", "cdc_with_deletes", "append")


def allowed(setting: bool | Collection[str] | None, table: str) -> bool:
    """``True`` allows every table; a collection allows the tables it names."""
    if isinstance(setting, bool) or setting is None:
        return bool(setting)
    return table in setting


def allowed_null_columns(setting: Any, table: str) -> set[str] | None:
    """Columns exempt from the coverage check; ``None`` means the whole table is exempt."""
    if setting is True:
        return None
    if isinstance(setting, dict):
        return set(setting.get(table, ()))
    return set()


def _fits(record: dict[str, Any], raw_schema: Any, *, strict: bool) -> str | None:
    """Why ``record`` does not fit; ``strict=False`` (tombstones) skips the pack's own checker,
    since a tombstone carries only keys and the cursor, and may add a deletion time."""
    parse_value = checkout_parse_value()
    if parse_value is not None and type(raw_schema).__module__.startswith("pyspark"):
        try:
            parse_value(record, raw_schema)
        except Exception as exc:  # the converter's own error says which field
            return str(exc) or type(exc).__name__
        return None
    if not strict:
        return None
    violations = record_violations(record, coerce_schema(raw_schema))
    return "; ".join(f"`{v.path}`: expected {v.expected}, got {v.got}" for v in violations[:3])


def _non_nullable_missing(record: Any, fields: Iterable[Any], prefix: str = "") -> list[str]:
    missing = []
    for field in fields:
        value = record.get(field.name) if isinstance(record, dict) else None
        path = f"{prefix}{field.name}"
        if not field.nullable and value is None:
            missing.append(path)
        inner = getattr(field.dataType, "fields", None)
        if inner is not None and isinstance(value, dict):
            missing.extend(_non_nullable_missing(value, inner, path + "."))
    return missing


def _all_null(record: Any, fields: Iterable[Any]) -> bool:
    for field in fields:
        value = record.get(field.name) if isinstance(record, dict) else None
        inner = getattr(field.dataType, "fields", None)
        if isinstance(value, dict) and inner is not None:
            if not _all_null(value, inner):
                return False
        elif value is not None and not isinstance(value, dict):
            return False
    return True


def check_records(
    table: str,
    raw_schema: Any,
    meta: dict[str, Any],
    records: list[dict[str, Any]],
    *,
    method: str = "read_table",
    is_read_table: bool = True,
    twins: Callable[[dict[str, Any]], str] | None = None,
) -> str | None:
    """The first problem in ``records``: schema fit, required fields, all-null rows, keys.

    ``twins(record)`` names other tables whose schema the record fits: such a record is read
    from the wrong path (or served for two tables alike), never a reason to loosen a schema.
    """
    schema = coerce_schema(raw_schema)
    keys = meta.get("primary_keys") or []
    cursor = meta.get("cursor_field")
    keyed = not is_read_table or meta.get("ingestion_type") in KEYED_TYPES
    incremental = is_read_table and meta.get("ingestion_type") in INCREMENTAL
    also = twins or (lambda _record: "")
    for i, record in enumerate(records):
        # `table `T` record #N: `field`: expected X, got Y` is the form run_suite's diagnosis reads
        prefix = "" if method == "read_table" else f"{method}(): "
        where = f"{prefix}table `{table}` record #{i}"
        problem = _fits(record, raw_schema, strict=is_read_table)
        if problem:
            return tagged(
                "schema-violation", f"{where}: {_roles(problem, keys, cursor)}{also(record)}"
            )
        if is_read_table:
            missing = _non_nullable_missing(record, schema.fields)
            if missing:
                return tagged(
                    "schema-violation",
                    f"{where}: `{missing[0]}`: expected a value, got None{also(record)}",
                )
        if _all_null(record, schema.fields):
            return tagged("schema-violation", f"{where}: every column is empty{also(record)}")
        for key in keys if keyed else ():
            if get_path(record, key) is None:
                return tagged("null-key", f"{where} has no value for key `{key}`{also(record)}")
        if incremental and cursor and get_path(record, cursor) is None:
            return tagged("cursor-missing", f"{where} has no cursor `{cursor}`{also(record)}")
    return None


def _roles(problem: str, keys: list[str], cursor: str | None) -> str:
    """Mark the primary key and cursor fields a problem names, so no fix loosens them."""
    for key in keys:
        problem = problem.replace(f"`{key}`:", f"`{key}` (primary key):")
    if cursor:
        problem = problem.replace(f"`{cursor}`:", f"`{cursor}` (cursor):")
    return problem


def check_population(
    table: str, raw_schema: Any, records: list[dict[str, Any]], allow: Any
) -> str | None:
    """Columns empty in every sampled record, unless ``allow_null_columns`` exempts them."""
    exempt = allowed_null_columns(allow, table)
    if exempt is None or not records:
        return None
    names = coerce_schema(raw_schema).fieldNames()
    filled = {n for n in names for r in records if isinstance(r, dict) and r.get(n) is not None}
    empty = [n for n in names if n not in filled and n not in exempt]
    if not empty:
        return None
    return tagged(
        "column-always-null",
        f"table `{table}`: columns {empty} were empty in all {len(records)} records",
    )
