"""Table schemas without pyspark: the types of ``pyspark.sql.types``, in plain Python.

The classes carry the same names, constructor arguments and JSON form as pyspark's, so a
connector written against ``from pyspark.sql.types import *`` keeps working after switching
to ``from skillpack.sdk.schema import *``::

    schema = StructType(
        [
            StructField("id", LongType(), nullable=False),
            StructField("tags", ArrayType(StringType())),
        ]
    )
    schema.simpleString()            # 'struct<id:bigint,tags:array<string>>'
    from_json(schema.json()) == schema   # True

Beyond the types, the module converts schemas: ``from_json`` (Spark's JSON form),
``coerce_schema`` (ours, pyspark's, or JSON, into ours), ``to_spark`` (into a real pyspark
``StructType``) and ``to_json_schema`` (a JSON Schema for the records). ``record_violations``
checks one record against a schema; its rules are described in ``skillpack.sdk._conformance``.
"""

from __future__ import annotations

import contextlib
import json as _json
import re
from collections.abc import Iterator
from typing import Any

from skillpack.errors import InputError, known_values
from skillpack.sdk._atomic_types import (
    BinaryType,
    BooleanType,
    ByteType,
    DataType,
    DateType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    NullType,
    ShortType,
    StringType,
    TimestampNTZType,
    TimestampType,
    VariantType,
)
from skillpack.sdk._conformance import Violation, json_schema_of, record_violations

__all__ = [
    "ArrayType",
    "BinaryType",
    "BooleanType",
    "ByteType",
    "DataType",
    "DateType",
    "DecimalType",
    "DoubleType",
    "FloatType",
    "IntegerType",
    "LongType",
    "MapType",
    "NullType",
    "ShortType",
    "StringType",
    "StructField",
    "StructType",
    "TimestampNTZType",
    "TimestampType",
    "VariantType",
    "Violation",
    "coerce_schema",
    "record_violations",
    "to_json_schema",
    "to_spark",
]

_SPARK_HINT = "pip install 'connector-skillpack[spark]'"


class ArrayType(DataType):
    """A list of ``elementType`` values; ``containsNull`` says whether elements may be null."""

    def __init__(self, elementType: DataType, containsNull: bool = True) -> None:
        self.elementType = _require_type(elementType, "ArrayType elementType")
        self.containsNull = containsNull

    def __repr__(self) -> str:
        return f"ArrayType({self.elementType!r}, {self.containsNull})"

    def simpleString(self) -> str:
        """``array<element>``."""
        return f"array<{self.elementType.simpleString()}>"

    def jsonValue(self) -> dict[str, Any]:
        """``{"type": "array", "elementType": ..., "containsNull": ...}``."""
        return {
            "type": self.typeName(),
            "elementType": self.elementType.jsonValue(),
            "containsNull": self.containsNull,
        }

    @classmethod
    def fromJson(cls, json: dict[str, Any]) -> ArrayType:
        """Build from Spark's JSON form."""
        return cls(_parse(_key(json, "elementType")), _key(json, "containsNull"))


class MapType(DataType):
    """A mapping from ``keyType`` to ``valueType``; keys are never null."""

    def __init__(
        self, keyType: DataType, valueType: DataType, valueContainsNull: bool = True
    ) -> None:
        self.keyType = _require_type(keyType, "MapType keyType")
        self.valueType = _require_type(valueType, "MapType valueType")
        self.valueContainsNull = valueContainsNull

    def __repr__(self) -> str:
        return f"MapType({self.keyType!r}, {self.valueType!r}, {self.valueContainsNull})"

    def simpleString(self) -> str:
        """``map<key,value>``."""
        return f"map<{self.keyType.simpleString()},{self.valueType.simpleString()}>"

    def jsonValue(self) -> dict[str, Any]:
        """``{"type": "map", "keyType": ..., "valueType": ..., "valueContainsNull": ...}``."""
        return {
            "type": self.typeName(),
            "keyType": self.keyType.jsonValue(),
            "valueType": self.valueType.jsonValue(),
            "valueContainsNull": self.valueContainsNull,
        }

    @classmethod
    def fromJson(cls, json: dict[str, Any]) -> MapType:
        """Build from Spark's JSON form."""
        return cls(
            _parse(_key(json, "keyType")),
            _parse(_key(json, "valueType")),
            _key(json, "valueContainsNull"),
        )


class StructField:
    """One named column of a ``StructType``; ``metadata`` is free-form JSON (e.g. a comment)."""

    def __init__(
        self,
        name: str,
        dataType: DataType,
        nullable: bool = True,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.dataType = _require_type(dataType, f"StructField `{name}` dataType")
        self.nullable = nullable
        self.metadata = metadata or {}

    def __repr__(self) -> str:
        return f"StructField('{self.name}', {self.dataType!r}, {self.nullable})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StructField) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(repr(self))

    def simpleString(self) -> str:
        """``name:type``."""
        return f"{self.name}:{self.dataType.simpleString()}"

    def jsonValue(self) -> dict[str, Any]:
        """``{"name": ..., "type": ..., "nullable": ..., "metadata": ...}``."""
        return {
            "name": self.name,
            "type": self.dataType.jsonValue(),
            "nullable": self.nullable,
            "metadata": self.metadata,
        }

    def json(self) -> str:
        """The field as compact JSON text."""
        return _json.dumps(self.jsonValue(), separators=(",", ":"), sort_keys=True)

    @classmethod
    def fromJson(cls, json: dict[str, Any]) -> StructField:
        """Build from Spark's JSON form; ``nullable`` defaults to true as in pyspark."""
        return cls(
            _key(json, "name"),
            _parse(_key(json, "type")),
            json.get("nullable", True),
            json.get("metadata"),
        )


class StructType(DataType):
    """A record: an ordered list of ``StructField``; index it by position or by name."""

    def __init__(self, fields: list[StructField] | None = None) -> None:
        self.fields: list[StructField] = []
        self.names: list[str] = []
        for field in fields or []:
            self.add(field)

    def add(
        self,
        field: str | StructField,
        data_type: DataType | str | None = None,
        nullable: bool = True,
        metadata: dict[str, Any] | None = None,
    ) -> StructType:
        """Append a field (a ``StructField``, or a name and a type) and return ``self``.

        ``data_type`` may be a type or its JSON name (``"long"``, ``"decimal(5,2)"``).
        """
        if not isinstance(field, StructField):
            if not isinstance(field, str):
                raise InputError(
                    f"a StructType field must be a StructField or a name, got "
                    f"`{type(field).__name__}`",
                    hint="write StructField('name', LongType()) or schema.add('name', LongType())",
                )
            if data_type is None:
                raise InputError(
                    f"StructType.add(`{field}`) needs a data type",
                    hint=f"write schema.add('{field}', StringType())",
                )
            if isinstance(data_type, str):
                data_type = _parse(data_type)
            field = StructField(field, data_type, nullable, metadata)
        self.fields.append(field)
        self.names.append(field.name)
        return self

    def fieldNames(self) -> list[str]:
        """The field names, in order."""
        return list(self.names)

    def __iter__(self) -> Iterator[StructField]:
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def __getitem__(self, key: str | int | slice) -> Any:
        """A field by name or position, or a ``StructType`` of a slice of the fields."""
        if isinstance(key, str):
            for field in self.fields:
                if field.name == key:
                    return field
            raise KeyError(known_values("field", key, self.names))
        if isinstance(key, slice):
            return StructType(self.fields[key])
        if isinstance(key, int):
            return self.fields[key]
        raise TypeError(f"StructType indices must be str, int or slice, not {type(key).__name__}")

    def __repr__(self) -> str:
        return f"StructType([{', '.join(repr(f) for f in self.fields)}])"

    def simpleString(self) -> str:
        """``struct<name:type,...>``."""
        return f"struct<{','.join(f.simpleString() for f in self.fields)}>"

    def jsonValue(self) -> dict[str, Any]:
        """``{"type": "struct", "fields": [...]}``."""
        return {"type": self.typeName(), "fields": [f.jsonValue() for f in self.fields]}

    @classmethod
    def fromJson(cls, json: dict[str, Any]) -> StructType:
        """Build from Spark's JSON form (what ``jsonValue()`` returns)."""
        fields = _key(json, "fields")
        if not isinstance(fields, list):
            raise _bad_json(f"`fields` must be a list, got `{type(fields).__name__}`")
        return cls([StructField.fromJson(_object(f)) for f in fields])


# Types named by a fixed string in Spark's JSON form; decimals may also carry parameters.
_NAMED_TYPES: dict[str, type[DataType]] = {
    t.typeName(): t
    for t in (
        StringType,
        BinaryType,
        BooleanType,
        DecimalType,
        FloatType,
        DoubleType,
        ByteType,
        ShortType,
        IntegerType,
        LongType,
        DateType,
        TimestampType,
        TimestampNTZType,
        NullType,
        VariantType,
    )
}
_COMPLEX_TYPES: dict[str, type[DataType]] = {
    "array": ArrayType,
    "map": MapType,
    "struct": StructType,
}
_DECIMAL = re.compile(r"decimal\(\s*(\d+)\s*,\s*(-?\d+)\s*\)")


def from_json(obj: dict[str, Any] | str) -> DataType:
    """Parse Spark's JSON form of a type: a dict, JSON text, or a bare name like ``"long"``.

    >>> from_json('{"type":"struct","fields":[]}')
    StructType([])
    """
    if isinstance(obj, str):
        # not JSON text: a bare type name such as "long" is still fine
        with contextlib.suppress(ValueError):
            obj = _json.loads(obj)
    if not isinstance(obj, (str, dict)):
        raise _bad_json(f"expected a type name or an object, got `{type(obj).__name__}`")
    return _parse(obj)


def _parse(value: Any) -> DataType:
    """One type from its JSON value (a name or an object)."""
    if isinstance(value, str):
        named = _NAMED_TYPES.get(value)
        if named is not None:
            return named()
        match = _DECIMAL.fullmatch(value)
        if match:
            return DecimalType(int(match.group(1)), int(match.group(2)))
        raise _unknown_type(value)
    kind = _key(_object(value), "type")
    complex_type = _COMPLEX_TYPES.get(kind)
    if complex_type is None:
        raise _unknown_type(kind)
    return complex_type.fromJson(value)  # type: ignore[attr-defined]


def _key(json: dict[str, Any], key: str) -> Any:
    """``json[key]``, or an ``InputError`` naming the missing key."""
    try:
        return json[key]
    except KeyError:
        raise _bad_json(f"missing key `{key}` in {_json.dumps(json)[:80]}") from None


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad_json(f"expected an object, got `{type(value).__name__}`")
    return value


def _unknown_type(name: object) -> InputError:
    known = [*_NAMED_TYPES, *_COMPLEX_TYPES, "decimal(p,s)"]
    return InputError(
        known_values("Spark type", name, known),
        hint="use the JSON that StructType.json() produces; other Spark types are not supported",
        code="bad-schema",
    )


def _bad_json(detail: str) -> InputError:
    return InputError(
        f"malformed Spark schema JSON: {detail}",
        hint='pass what StructType.json() produces, e.g. {"type": "struct", "fields": [...]}',
        code="bad-schema",
    )


def _require_type(value: Any, where: str) -> DataType:
    if not isinstance(value, DataType):
        raise InputError(
            f"{where} must be a skillpack.sdk.schema type, got `{type(value).__name__}`",
            hint="import the types from skillpack.sdk.schema, e.g. LongType()",
            code="bad-schema",
        )
    return value


def coerce_schema(obj: Any) -> StructType:
    """Our ``StructType`` from ours, a pyspark one (anything with ``jsonValue()``) or JSON.

    >>> coerce_schema('{"type":"struct","fields":[]}')
    StructType([])
    """
    if isinstance(obj, StructType):
        return obj
    if isinstance(obj, (dict, str)):
        parsed = from_json(obj)
    elif callable(getattr(obj, "jsonValue", None)):
        # pyspark's types are read through their JSON so pyspark never has to be imported here
        parsed = _parse(obj.jsonValue())
    else:
        raise InputError(
            f"cannot use a `{type(obj).__name__}` as a schema",
            hint="pass a StructType (ours or pyspark's), or Spark's JSON form as a dict or string",
            code="bad-schema",
        )
    if not isinstance(parsed, StructType):
        raise InputError(
            f"a table schema must be a struct, got `{parsed.simpleString()}`",
            hint="wrap the columns in StructType([StructField(...), ...])",
            code="bad-schema",
        )
    return parsed


def to_json_schema(schema: Any) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) for records of ``schema`` (anything ``coerce_schema`` takes).

    Non-nullable fields are ``required``, nullable ones also accept null, and keys the schema
    lacks are refused, as ``record_violations`` does.
    """
    return json_schema_of(coerce_schema(schema))


def to_spark(schema: Any) -> Any:
    """A real ``pyspark.sql.types.StructType`` equal to ``schema`` (anything ``coerce_schema``
    accepts). Needs the ``spark`` extra."""
    ours = coerce_schema(schema)
    try:
        from pyspark.sql.types import StructType as SparkStructType
    except ImportError:
        raise InputError(
            "pyspark is not installed, so the schema cannot be turned into a Spark one",
            hint=_SPARK_HINT,
            code="missing-pyspark",
        ) from None
    return SparkStructType.fromJson(ours.jsonValue())
