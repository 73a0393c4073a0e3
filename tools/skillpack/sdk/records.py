"""The records a REST endpoint returns: where they sit in a body, and shaping them to a schema.

Two helpers for connectors whose API doc leaves these details out::

    body = client.get_json("/contacts")
    path = find_records_path(body, hints=("contacts",))   # "data", "results.items", or None
    for page in client.paginate("/contacts", paginator=..., records_path=path):
        rows = [conform(record, schema) for record in page]

``find_records_path`` looks for the list of records in one response body: the body itself
when it is a list, else the first list under a well-known key (``data``, ``results``,
``items``, ``records``, ...), one level of nesting deep (``{"d": {"results": [...]}}``); an
object carrying the table's key and no such list is one record (``GET /users/me``).

``conform`` makes a record fit its table's schema without losing information: a record
wrapped in a list item of its own (``{"resource": {...}}``, ``{"node": {...}}``) is taken
from it; fields the schema does not list are left out (an API's undocumented extras),
integers become floats in double columns, integral numbers and numeric strings become
integers in integer columns, anything but a string in a string column becomes JSON text
(an object whose shape varies), and an empty string in a column of any other scalar type
(a timestamp not set yet, a blank count) becomes null, as many APIs write "not set" as
``""``. Everything else is returned as it came, so a real mismatch still shows in the suite.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from skillpack.errors import SourceError
from skillpack.sdk.offsets import get_path

#: what ``find_records_path`` gives for a body that is itself the one record
ONE_RECORD = "$"
#: keys that commonly hold the records of a list response, in the order they are tried
RECORD_KEYS = (
    "data",
    "results",
    "items",
    "records",
    "value",
    "entries",
    "rows",
    "objects",
    "elements",
    "entry",
)
_INTEGER_TYPES = ("byte", "short", "integer", "long")
_FRACTIONAL_TYPES = ("double", "float")
#: scalar types whose ``""`` can only mean "not set"
_BLANK_IS_NULL = (
    *_INTEGER_TYPES,
    *_FRACTIONAL_TYPES,
    "decimal",
    "boolean",
    "date",
    "timestamp",
    "timestamp_ntz",
)
_INTEGER_TEXT = re.compile(r"[+-]?\d+")


def find_records_path(
    body: Any, hints: Iterable[str] = (), record_keys: Iterable[str] = ()
) -> str | None:
    """The dotted path of the records list in ``body``; ``None`` when the body is the list,
    ``ONE_RECORD`` when the body is the one record.

    ``hints`` are keys to try first (say, the table's name); ``record_keys`` the fields a
    record always carries (the table's primary key): an object holding them all as plain
    values and no list under a well-known key is a record (``GET /users/me``), whatever
    lists it holds. Raises ``SourceError`` (code ``records-not-found``) when no list is found.
    """
    if isinstance(body, list):
        return None
    if isinstance(body, Mapping):
        keys = (*hints, *RECORD_KEYS)
        # a list under a well-known key comes first: a list response may carry an id too
        found = _top_or_one_down(body, _named_list, keys)
        if found is not None:
            return found
        fields = list(record_keys)
        if fields and all(_plain(body.get(k)) for k in fields):
            return ONE_RECORD
        found = _top_or_one_down(body, _list_key, keys)
        if found is not None:
            return found
        # a list of names or numbers is a field of one object, never its records
        lists = [k for k, v in body.items() if isinstance(v, list) and _objects(v)]
        if len(lists) == 1:
            return str(lists[0])
        keys = ", ".join(f"`{k}`" for k in list(body)[:20])
        shape = f"an object with keys {keys}" if keys else "an empty object"
    else:
        shape = f"a JSON {type(body).__name__}"
    raise SourceError(
        f"no list of records found in the response ({shape})",
        hint="say in the API doc where the records are, or set the table's `records_path` "
        "in the connector (a dotted path such as `data` or `results.items`)",
        code="records-not-found",
    )


def _top_or_one_down(
    body: Mapping[str, Any],
    find: Callable[[Mapping[str, Any], Iterable[str]], str | None],
    keys: tuple[str, ...],
) -> str | None:
    """The dotted path ``find`` gives in ``body`` or in one of its objects, if any."""
    found = find(body, keys)
    if found is not None:
        return found
    for key, value in body.items():
        if isinstance(value, Mapping):
            inner = find(value, keys)
            if inner is not None:
                return f"{key}.{inner}"
    return None


def _named_list(body: Mapping[str, Any], keys: Iterable[str]) -> str | None:
    """The first of ``keys`` holding a list (or null, an empty list) in ``body``."""
    for key in keys:
        if key in body and (body[key] is None or isinstance(body[key], list)):
            return key
    return None


def _plain(value: Any) -> bool:
    return value is not None and not isinstance(value, (Mapping, list))


def _objects(items: list) -> bool:
    return all(isinstance(x, Mapping) for x in items)


def _list_key(body: Mapping[str, Any], keys: Iterable[str]) -> str | None:
    """The first of ``keys`` holding a list (or null, an empty list) in ``body``, else its
    one list of objects."""
    found = _named_list(body, keys)
    if found is not None:
        return found
    # An object holding exactly one list of objects is a list response too.
    lists = [
        k
        for k, v in body.items()
        if isinstance(v, list) and v and all(isinstance(x, Mapping) for x in v)
    ]
    return str(lists[0]) if len(lists) == 1 else None


def _unwrapped(value: Mapping[str, Any], names: set[str]) -> Mapping[str, Any]:
    """The object ``value`` wraps its record in, when the record is one level down: a
    list item such as ``{"resource": {...}}`` or ``{"node": {...}}`` holds none of the
    schema's fields itself and exactly one object that holds some."""
    if not names or any(k in names for k in value):
        return value
    inner = [v for v in value.values() if isinstance(v, Mapping) and any(k in names for k in v)]
    return inner[0] if len(inner) == 1 else value


def _lifted(record: Mapping[str, Any], sources: Mapping[str, str]) -> Mapping[str, Any]:
    """``record`` with each column of ``sources`` it lacks filled from its nested path."""
    found = {
        name: value
        for name, path in sources.items()
        if record.get(name) is None
        and (value := record if path == "$" else get_path(record, path)) is not None
    }
    return {**record, **found} if found else record


def conform(value: Any, data_type: Any, sources: Mapping[str, str] | None = None) -> Any:
    """``value`` shaped to ``data_type`` (ours or pyspark's), as the module docstring says.

    ``sources`` names, for a record, the columns the doc says are taken from a nested path
    (``{"lastUpdated": "meta.lastUpdated"}``) or hold the whole record as JSON text (``$``);
    a record that carries the column itself, or lacks the path, keeps what it has.
    """
    if isinstance(value, Mapping) and data_type.typeName() == "struct":
        # the record itself: a nested object column is shaped, never unwrapped
        value = _unwrapped(value, {f.name for f in data_type.fields})
        if sources:
            value = _lifted(value, sources)
    return _shaped(value, data_type)


def _shaped(value: Any, data_type: Any) -> Any:
    if value is None:
        return None
    kind = data_type.typeName()
    if kind == "struct":
        if not isinstance(value, Mapping):
            return value
        return {f.name: _shaped(value.get(f.name), f.dataType) for f in data_type.fields}
    if kind == "array":
        if not isinstance(value, (list, tuple)):
            return value
        return [_shaped(v, data_type.elementType) for v in value]
    if kind == "map":
        if not isinstance(value, Mapping):
            return value
        return {k: _shaped(v, data_type.valueType) for k, v in value.items()}
    if kind == "string":
        return value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    if value == "" and kind in _BLANK_IS_NULL:
        return None
    if isinstance(value, bool):
        return value
    if kind in _FRACTIONAL_TYPES and isinstance(value, int):
        return float(value)
    if kind in _INTEGER_TYPES:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value.strip()):
            return int(value)
    return value


__all__ = ["RECORD_KEYS", "conform", "find_records_path"]
