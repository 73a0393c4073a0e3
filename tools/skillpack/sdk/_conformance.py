"""Whether records fit a schema: the checks the test suites run on every record a connector reads.

``record_violations(record, schema)`` walks one record (a dict) along a ``StructType`` and lists
what does not fit. ``json_schema_of(schema)`` states the same shape as a JSON Schema (draft
2020-12) for tools outside Python. Both read types only through ``typeName()`` and the attributes
pyspark also has (``fields``, ``elementType``, ``keyType``, ...), so pyspark's types work too.

Rules (a value of ``None`` is handled before the per-type rule):

- a field absent from the record, or ``None``, is fine when the field is nullable and a
  violation when it is not; likewise array elements (``containsNull``) and map values
  (``valueContainsNull``); a map key is never allowed to be ``None``
- a key in the record that the schema lacks is a violation ("not in schema")
- tinyint, smallint, int, bigint: an ``int`` (not a ``bool``) within the type's range
- double, float: an ``int`` or ``float`` (not a ``bool``)
- decimal(p,s): a ``Decimal``, ``int``, ``float`` or numeric string, finite, with at most
  ``p - s`` digits before the point (Spark cannot store more)
- string: a ``str``; boolean: a ``bool``
- date: a ``datetime.date`` or an ISO date string ``YYYY-MM-DD``
- timestamp, timestamp_ntz: a ``datetime``, an ISO-8601 date-time string (``T`` or a space
  between date and time, optional seconds and fraction, optional zone ``Z`` or ``+HH:MM``) or
  a finite ``int``/``float`` epoch
- binary: ``bytes``, ``bytearray`` or ``str`` (e.g. base64 text)
- void: nothing but ``None``
- array: a ``list`` or ``tuple``, each element checked; map: a ``dict`` whose keys fit
  ``keyType`` and whose values are checked; struct: a ``dict``, checked field by field
- any other type (pyspark's variant, intervals, ...) accepts any value

Paths are dotted for struct fields and bracketed for elements and map keys: ``address.city``,
``items[2].sku``, ``attrs['color']``; a record that is not a dict has the path ``<record>``.
The received value is shown as its type and a repr cut to 40 characters, since it may be large.
"""

from __future__ import annotations

import math
import re
import reprlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from skillpack.errors import InputError

_MISSING = object()
_GOT_WIDTH = 40
_EXPECTED_WIDTH = 60
_INT_RANGES = {
    "byte": (-(2**7), 2**7 - 1),
    "short": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
}
# Compiled once: record_violations runs on every record a suite reads.
_NUMERIC = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]([01]\d|2[0-3]):[0-5]\d(:([0-5]\d|60)(\.\d{1,9})?)?"
    r"(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?",
    re.ASCII,
)
_NUMERIC_PATTERN = "^" + _NUMERIC.pattern + "$"


def _short_repr() -> reprlib.Repr:
    # reprlib bounds the work on big containers and strings before we cut the text
    shortener = reprlib.Repr()
    shortener.maxstring = _GOT_WIDTH
    shortener.maxother = _GOT_WIDTH
    shortener.maxlong = _GOT_WIDTH
    shortener.maxlevel = 2
    shortener.maxlist = shortener.maxtuple = shortener.maxdict = shortener.maxset = 4
    return shortener


_REPR = _short_repr()


@dataclass(frozen=True)
class Violation:
    """One way a record does not fit its schema."""

    #: where: ``address.city``, ``items[2].sku``, ``attrs['color']``
    path: str
    #: the schema's type there, e.g. ``bigint``
    expected: str
    #: what the record holds, e.g. ``str 'abc'``, ``missing`` or ``None``
    got: str
    #: one readable sentence
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def record_violations(
    record: dict[str, Any], schema: Any, *, max_violations: int = 20
) -> list[Violation]:
    """Every way ``record`` breaks ``schema`` (ours or pyspark's), at most ``max_violations``.

    >>> record_violations({"id": "7"}, StructType().add("id", LongType()))
    [Violation(path='id', expected='bigint', got="str '7'", message="expected bigint, got str '7'")]
    """
    if not callable(getattr(schema, "typeName", None)) or schema.typeName() != "struct":
        raise InputError(
            f"record_violations needs a StructType, got `{type(schema).__name__}`",
            hint="turn the schema into one first with skillpack.sdk.schema.coerce_schema",
            code="bad-schema",
        )
    found = _Found(max_violations)
    if max_violations > 0:
        try:
            if isinstance(record, dict):
                _check_struct(record, schema, "", found)
            else:
                found.mismatch("<record>", schema, record, "")
        except _Enough:
            pass
    return found.items


class _Enough(Exception):
    """Raised internally once ``max_violations`` are found, to stop the walk at once."""


class _Found:
    """The violations collected so far."""

    def __init__(self, limit: int) -> None:
        self.items: list[Violation] = []
        self.limit = limit

    def add(self, path: str, expected: str, got: str, message: str) -> None:
        self.items.append(Violation(path, expected, got, message))
        if len(self.items) >= self.limit:
            raise _Enough

    def mismatch(self, path: str, dt: Any, value: Any, detail: str) -> None:
        expected, got = _expected(dt), _got(value)
        message = f"expected {expected}, got {got}"
        self.add(path, expected, got, f"{message} ({detail})" if detail else message)

    def null(self, path: str, dt: Any, got: str, message: str) -> None:
        self.add(path, _expected(dt), got, message)


def _expected(dt: Any) -> str:
    text = dt.simpleString()
    return text if len(text) <= _EXPECTED_WIDTH else text[: _EXPECTED_WIDTH - 3] + "..."


def _got(value: Any) -> str:
    text = _REPR.repr(value)
    if len(text) > _GOT_WIDTH:
        text = text[: _GOT_WIDTH - 3] + "..."
    return f"{type(value).__name__} {text}"


def _join(path: str, key: Any) -> str:
    """The path of a child: a field name (str), an array index (int) or a map key (1-tuple)."""
    if isinstance(key, str):
        return f"{path}.{key}" if path else key
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}[{_REPR.repr(key[0])}]"


def _check_struct(record: dict[str, Any], dt: Any, path: str, found: _Found) -> None:
    present = 0
    for field in dt.fields:
        value = record.get(field.name, _MISSING)
        if value is _MISSING:
            if not field.nullable:
                found.null(
                    _join(path, field.name), field.dataType, "missing", "required field is missing"
                )
            continue
        present += 1
        if value is None:
            if not field.nullable:
                found.null(
                    _join(path, field.name), field.dataType, "None", "null in a non-nullable field"
                )
            continue
        _check(value, field.dataType, path, field.name, found)
    # Counting matches first means valid records never build the set of names.
    if present < len(record):
        names = {field.name for field in dt.fields}
        for key, value in record.items():
            if key not in names:
                found.add(
                    _join(path, str(key)), "no such field", _got(value), f"`{key}` is not in schema"
                )


def _check(value: Any, dt: Any, path: str, key: Any, found: _Found) -> None:
    """Check a non-null ``value`` found under ``key`` of ``path``; the path is built lazily."""
    name = dt.typeName()
    scalar = _SCALARS.get(name)
    if scalar is not None:
        detail = scalar(value, dt)
        if detail is not None:
            found.mismatch(_join(path, key), dt, value, detail)
        return
    here = _join(path, key)
    if name == "struct":
        if isinstance(value, dict):
            _check_struct(value, dt, here, found)
        else:
            found.mismatch(here, dt, value, "")
    elif name == "array":
        _check_array(value, dt, here, found)
    elif name == "map":
        _check_map(value, dt, here, found)


def _check_array(value: Any, dt: Any, path: str, found: _Found) -> None:
    if not isinstance(value, (list, tuple)):
        found.mismatch(path, dt, value, "")
        return
    element_type = dt.elementType
    for index, element in enumerate(value):
        if element is None:
            if not dt.containsNull:
                found.null(
                    _join(path, index),
                    element_type,
                    "None",
                    "null element in an array whose containsNull is false",
                )
            continue
        _check(element, element_type, path, index, found)


def _check_map(value: Any, dt: Any, path: str, found: _Found) -> None:
    if not isinstance(value, dict):
        found.mismatch(path, dt, value, "")
        return
    key_type, value_type = dt.keyType, dt.valueType
    key_check = _SCALARS.get(key_type.typeName())
    for key, item in value.items():
        if key is None:
            found.null(_join(path, (key,)), key_type, "None", "null map key")
        elif key_check is not None and key_check(key, key_type) is not None:
            found.add(
                _join(path, (key,)),
                _expected(key_type),
                _got(key),
                f"map key: expected {_expected(key_type)}, got {_got(key)}",
            )
        if item is None:
            if not dt.valueContainsNull:
                found.null(
                    _join(path, (key,)),
                    value_type,
                    "None",
                    "null value in a map whose valueContainsNull is false",
                )
            continue
        _check(item, value_type, path, (key,), found)


# Scalar checks return None when the value fits, else a detail ("" when the type is simply wrong).


def _integer(value: Any, dt: Any) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return ""
    low, high = _INT_RANGES[dt.typeName()]
    return None if low <= value <= high else f"outside {low}..{high}"


def _fractional(value: Any, dt: Any) -> str | None:
    return None if isinstance(value, (int, float)) and not isinstance(value, bool) else ""


def _decimal(value: Any, dt: Any) -> str | None:
    if isinstance(value, bool):
        return ""
    if isinstance(value, str):
        if not _NUMERIC.fullmatch(value):
            return "not a number"
        value = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            return "not finite"
    elif isinstance(value, Decimal):
        if not value.is_finite():
            return "not finite"
    elif not isinstance(value, int):
        return ""
    digits = dt.precision - dt.scale
    limit = 10**digits
    # compared rather than abs()-ed: arithmetic on a huge Decimal can overflow its context
    return None if -limit < value < limit else f"more than {digits} digits before the point"


def _string(value: Any, dt: Any) -> str | None:
    return None if isinstance(value, str) else ""


def _boolean(value: Any, dt: Any) -> str | None:
    return None if isinstance(value, bool) else ""


def _date(value: Any, dt: Any) -> str | None:
    if isinstance(value, date):
        return None
    if isinstance(value, str):
        return None if _DATE.fullmatch(value) and _is_calendar_date(value) else "not YYYY-MM-DD"
    return ""


def _timestamp(value: Any, dt: Any) -> str | None:
    if isinstance(value, datetime):
        return None
    if isinstance(value, str):
        if _TIMESTAMP.fullmatch(value) and _is_calendar_date(value[:10]):
            return None
        return "not an ISO-8601 date-time"
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else "not finite"
    return ""


def _binary(value: Any, dt: Any) -> str | None:
    return None if isinstance(value, (bytes, bytearray, str)) else ""


def _void(value: Any, dt: Any) -> str | None:
    return ""


def _is_calendar_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


_SCALARS = {
    "byte": _integer,
    "short": _integer,
    "integer": _integer,
    "long": _integer,
    "double": _fractional,
    "float": _fractional,
    "decimal": _decimal,
    "string": _string,
    "boolean": _boolean,
    "date": _date,
    "timestamp": _timestamp,
    "timestamp_ntz": _timestamp,
    "binary": _binary,
    "void": _void,
}


def json_schema_of(schema: Any) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) for records of ``schema``, a StructType (ours or pyspark's).

    Unlike ``record_violations`` it can only speak of JSON values: timestamps are date-time
    strings, and binary values are strings.
    """
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **_json_type(schema)}


def _json_type(dt: Any) -> dict[str, Any]:
    name = dt.typeName()
    if name == "struct":
        out: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": False}
        required = []
        for field in dt.fields:
            prop = _nullable(_json_type(field.dataType), field.nullable)
            comment = field.metadata.get("comment") if field.metadata else None
            if isinstance(comment, str):
                prop["description"] = comment
            out["properties"][field.name] = prop
            if not field.nullable:
                required.append(field.name)
        if required:
            out["required"] = required
        return out
    if name == "array":
        return {"type": "array", "items": _nullable(_json_type(dt.elementType), dt.containsNull)}
    if name == "map":
        values = _nullable(_json_type(dt.valueType), dt.valueContainsNull)
        return {"type": "object", "additionalProperties": values}
    if name in _INT_RANGES:
        low, high = _INT_RANGES[name]
        return {"type": "integer", "minimum": low, "maximum": high}
    if name == "decimal":
        return {"type": ["number", "string"], "pattern": _NUMERIC_PATTERN}
    return dict(_JSON_SCALARS.get(name, {}))


_JSON_SCALARS: dict[str, dict[str, Any]] = {
    "double": {"type": "number"},
    "float": {"type": "number"},
    "string": {"type": "string"},
    "binary": {"type": "string"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "timestamp": {"type": "string", "format": "date-time"},
    "timestamp_ntz": {"type": "string", "format": "date-time"},
    "void": {"type": "null"},
}


def _nullable(schema: dict[str, Any], nullable: bool) -> dict[str, Any]:
    """Let ``schema`` also accept null (an unknown type, ``{}``, already accepts anything)."""
    kind = schema.get("type")
    if not nullable or kind is None or kind == "null":
        return schema
    kinds = kind if isinstance(kind, list) else [kind]
    return {**schema, "type": [*kinds, "null"]}
