"""Records (dicts) to the tuples a Python Data Source yields, in the schema's column order.

Spark's own conversion already takes dicts for nested structs, lists for arrays and Python
numbers for numeric columns, so most columns pass through untouched and a row costs one
``tuple(map(record.get, names))``. Only where the schema asks for a type JSON cannot carry
is a value converted: ISO strings for ``TimestampType``/``TimestampNTZType``/``DateType``,
numbers or strings for ``DecimalType``. A missing key becomes null.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DataType,
    DateType,
    DecimalType,
    MapType,
    StructField,
    StructType,
    TimestampNTZType,
    TimestampType,
)

from skillpack.errors import InputError
from skillpack.sdk.offsets import get_path, parse_timestamp

Convert = Callable[[Any], Any]


def row_converter(schema: StructType) -> Callable[[Mapping[str, Any]], tuple]:
    """A function turning one record into a tuple in ``schema``'s column order."""
    names = schema.fieldNames()
    converters = [(i, c) for i, f in enumerate(schema.fields) if (c := _converter(f)) is not None]
    if not converters:
        return lambda record: tuple(map(record.get, names))

    def convert(record: Mapping[str, Any]) -> tuple:
        row = list(map(record.get, names))
        for index, fix in converters:
            value = row[index]
            if value is not None:
                row[index] = fix(value)
        return tuple(row)

    return convert


def column_converters(schema: StructType) -> list[Convert | None]:
    """Per column of ``schema``, its converter, or ``None`` where values pass as they are."""
    return [_converter(f) for f in schema.fields]


def delete_schema(schema: StructType, primary_keys: list[str], deleted_column: str) -> StructType:
    """The columns of a delete row: the primary keys, then ``deleted_column`` (always true)."""
    if not primary_keys:
        raise InputError(
            "the table has no primary keys, so its deletes cannot name the rows they remove",
            hint="return `primary_keys` from read_table_metadata for cdc_with_deletes tables",
            code="deletes-without-keys",
        )
    by_name = {f.name: f for f in schema.fields}
    missing = [k for k in primary_keys if k not in by_name]
    if missing:
        raise InputError(
            f"primary key(s) {', '.join(f'`{k}`' for k in missing)} are not top-level columns",
            hint="list top-level column names in `primary_keys`",
            code="deletes-without-keys",
        )
    return StructType(
        [*(by_name[k] for k in primary_keys), StructField(deleted_column, BooleanType(), False)]
    )


def delete_converter(primary_keys: list[str], key_schema: StructType) -> Callable[[Any], tuple]:
    """A function turning one deleted record into ``(key values..., True)``."""
    converters = [_converter(f) for f in key_schema.fields[: len(primary_keys)]]

    def convert(record: Mapping[str, Any]) -> tuple:
        values = []
        for key, fix in zip(primary_keys, converters, strict=True):
            value = get_path(record, key)
            values.append(fix(value) if fix is not None and value is not None else value)
        return (*values, True)

    return convert


def _converter(field: StructField) -> Convert | None:
    return _for_type(field.dataType, field.name)


def _for_type(data_type: DataType, column: str) -> Convert | None:
    """A converter for values of ``data_type``, or ``None`` when they pass through as they are."""
    if isinstance(data_type, TimestampType):
        return lambda value: _timestamp(value, column, aware=True)
    if isinstance(data_type, TimestampNTZType):
        return lambda value: _timestamp(value, column, aware=False)
    if isinstance(data_type, DateType):
        return lambda value: _date(value, column)
    if isinstance(data_type, DecimalType):
        return lambda value: _decimal(value, column)
    if isinstance(data_type, StructType):
        inner = {f.name: c for f in data_type.fields if (c := _converter(f)) is not None}
        if not inner:
            return None
        return lambda value: _struct(value, inner)
    if isinstance(data_type, ArrayType):
        element = _for_type(data_type.elementType, column)
        if element is None:
            return None
        return lambda value: [None if v is None else element(v) for v in value]
    if isinstance(data_type, MapType):
        key = _for_type(data_type.keyType, column)
        item = _for_type(data_type.valueType, column)
        if key is None and item is None:
            return None
        return lambda value: {
            (k if key is None else key(k)): (v if item is None or v is None else item(v))
            for k, v in value.items()
        }
    return None


def _struct(value: Any, inner: dict[str, Convert]) -> Any:
    if not isinstance(value, Mapping):
        return value  # a tuple or Row is already in column order; Spark checks it
    out = dict(value)
    for name, fix in inner.items():
        if out.get(name) is not None:
            out[name] = fix(out[name])
    return out


def _timestamp(value: Any, column: str, *, aware: bool) -> Any:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        moment = parse_timestamp(value)
        if moment is not None:
            return moment if aware else moment.replace(tzinfo=None)
    raise _bad_value(column, value, "an ISO-8601 timestamp such as 2024-01-31T12:00:00Z")


def _date(value: Any, column: str) -> Any:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        moment = parse_timestamp(value)
        if moment is not None:
            return moment.date()
    raise _bad_value(column, value, "an ISO-8601 date such as 2024-01-31")


def _decimal(value: Any, column: str) -> Any:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            pass
    raise _bad_value(column, value, "a number or a numeric string")


def _bad_value(column: str, value: Any, wanted: str) -> InputError:
    shown = repr(value)
    return InputError(
        f"column `{column}`: {shown[:60]} is not {wanted}",
        hint="return values that match get_table_schema, or change the column's type "
        "(the generic suite's schema checks point at the record)",
        code="bad-value",
    )
