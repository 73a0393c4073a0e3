"""The atomic Spark types and their base class; ``skillpack.sdk.schema`` is their public face."""

from __future__ import annotations

import json as _json
from typing import Any


class DataType:
    """Base of every type; equality compares the type and its parameters, like pyspark."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, type(self)) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(repr(self))

    @classmethod
    def typeName(cls) -> str:
        """The lowercase name Spark uses in JSON, e.g. ``long`` for ``LongType``."""
        return cls.__name__[:-4].lower()

    def simpleString(self) -> str:
        """The short SQL-like name, e.g. ``bigint`` or ``array<string>``."""
        return self.typeName()

    def jsonValue(self) -> str | dict[str, Any]:
        """The type in Spark's JSON form, as Python values."""
        return self.typeName()

    def json(self) -> str:
        """The type as compact JSON text, byte-for-byte what pyspark produces."""
        return _json.dumps(self.jsonValue(), separators=(",", ":"), sort_keys=True)


class StringType(DataType):
    """Text."""


class BinaryType(DataType):
    """Raw bytes."""


class BooleanType(DataType):
    """True or false."""


class DateType(DataType):
    """A calendar date without time."""


class TimestampType(DataType):
    """An instant in time (Spark stores it in UTC and shows it in the session zone)."""


class TimestampNTZType(DataType):
    """A wall-clock date and time with no time zone."""

    @classmethod
    def typeName(cls) -> str:
        """``timestamp_ntz``."""
        return "timestamp_ntz"


class NullType(DataType):
    """The type of a column that only ever holds null."""

    @classmethod
    def typeName(cls) -> str:
        """``void``, the name Spark uses for the null type."""
        return "void"


class VariantType(DataType):
    """Semi-structured JSON kept as is (Spark 4's ``variant``); any value fits."""


class DoubleType(DataType):
    """A 64-bit float."""


class FloatType(DataType):
    """A 32-bit float."""


class ByteType(DataType):
    """A signed 8-bit integer."""

    def simpleString(self) -> str:
        """``tinyint``."""
        return "tinyint"


class ShortType(DataType):
    """A signed 16-bit integer."""

    def simpleString(self) -> str:
        """``smallint``."""
        return "smallint"


class IntegerType(DataType):
    """A signed 32-bit integer."""

    def simpleString(self) -> str:
        """``int``."""
        return "int"


class LongType(DataType):
    """A signed 64-bit integer."""

    def simpleString(self) -> str:
        """``bigint``."""
        return "bigint"


class DecimalType(DataType):
    """A fixed-point number with ``precision`` digits, ``scale`` of them after the point."""

    def __init__(self, precision: int = 10, scale: int = 0) -> None:
        self.precision = precision
        self.scale = scale
        # part of pyspark's public API; kept so code that reads it keeps working
        self.hasPrecisionInfo = True

    def __repr__(self) -> str:
        return f"DecimalType({self.precision},{self.scale})"

    def simpleString(self) -> str:
        """``decimal(precision,scale)``."""
        return f"decimal({self.precision},{self.scale})"

    def jsonValue(self) -> str:
        """``decimal(precision,scale)``."""
        return self.simpleString()
