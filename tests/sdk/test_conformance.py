"""Record conformance: ``record_violations`` and the rules in ``skillpack.sdk._conformance``."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from skillpack.errors import InputError
from skillpack.sdk.schema import (
    ArrayType,
    BinaryType,
    BooleanType,
    ByteType,
    DateType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    MapType,
    NullType,
    ShortType,
    StringType,
    StructField,
    StructType,
    TimestampNTZType,
    TimestampType,
    Violation,
    record_violations,
)


def check(data_type, value, nullable=True):
    """Violations of ``{"v": value}`` against a one-field schema."""
    return record_violations({"v": value}, StructType([StructField("v", data_type, nullable)]))


FITS = [
    (ByteType(), 127),
    (ByteType(), -128),
    (ShortType(), 32767),
    (IntegerType(), -(2**31)),
    (LongType(), 2**63 - 1),
    (DoubleType(), 1.5),
    (DoubleType(), 3),
    (FloatType(), 2),
    (DecimalType(5, 2), Decimal("123.45")),
    (DecimalType(5, 2), 999),
    (DecimalType(5, 2), 1.25),
    (DecimalType(5, 2), "-12.5"),
    (DecimalType(5, 2), "1e2"),
    (StringType(), "text"),
    (BooleanType(), False),
    (DateType(), date(2024, 2, 29)),
    (DateType(), "2024-02-29"),
    (TimestampType(), datetime(2024, 1, 1, tzinfo=timezone.utc)),
    (TimestampType(), "2024-01-01T10:20:30Z"),
    (TimestampType(), "2024-01-01T10:20:30.123456+02:00"),
    (TimestampType(), "2024-01-01 10:20"),
    (TimestampType(), 1_700_000_000),
    (TimestampType(), 1_700_000_000.5),
    (TimestampNTZType(), "2024-01-01T10:20:30"),
    (BinaryType(), b"\x00\x01"),
    (BinaryType(), bytearray(b"ab")),
    (BinaryType(), "AAE="),
    (ArrayType(LongType()), [1, 2, None]),
    (ArrayType(LongType()), (1, 2)),
    (MapType(StringType(), LongType()), {"a": 1, "b": None}),
    (StructType().add("x", LongType()), {"x": 1}),
]

BREAKS = [
    (ByteType(), 128, "outside -128..127"),
    (ShortType(), -32769, "outside"),
    (IntegerType(), 2**31, "outside"),
    (LongType(), 2**63, "outside"),
    (LongType(), "7", "got str '7'"),
    (LongType(), True, "got bool True"),
    (LongType(), 1.0, "got float 1.0"),
    (DoubleType(), "1.5", "got str"),
    (DoubleType(), False, "got bool"),
    (DecimalType(5, 2), "abc", "not a number"),
    (DecimalType(5, 2), 1000, "more than 3 digits before the point"),
    (DecimalType(5, 2), Decimal("NaN"), "not finite"),
    (DecimalType(5, 2), float("inf"), "not finite"),
    (DecimalType(5, 2), True, "got bool"),
    (StringType(), 5, "got int 5"),
    (BooleanType(), "true", "got str 'true'"),
    (BooleanType(), 1, "got int 1"),
    (DateType(), "2024-02-30", "not YYYY-MM-DD"),
    (DateType(), "29/02/2024", "not YYYY-MM-DD"),
    (DateType(), 20240229, "got int"),
    (TimestampType(), "yesterday", "not an ISO-8601 date-time"),
    (TimestampType(), "2024-01-01", "not an ISO-8601 date-time"),
    (TimestampType(), "2024-01-01T25:00:00", "not an ISO-8601 date-time"),
    (TimestampType(), date(2024, 1, 1), "got date"),
    (TimestampType(), True, "got bool"),
    (TimestampType(), float("nan"), "not finite"),
    (BinaryType(), 5, "got int"),
    (NullType(), 0, "expected void"),
    (ArrayType(LongType()), "1,2", "expected array<bigint>"),
    (MapType(StringType(), LongType()), [("a", 1)], "expected map<string,bigint>"),
    (StructType().add("x", LongType()), "x=1", "expected struct<x:bigint>"),
]


@pytest.mark.parametrize(("data_type", "value"), FITS, ids=lambda v: repr(v)[:30])
def test_value_that_fits_has_no_violation(data_type, value):
    assert check(data_type, value) == []


@pytest.mark.parametrize(("data_type", "value", "text"), BREAKS, ids=lambda v: repr(v)[:30])
def test_value_that_breaks_its_type_is_one_violation(data_type, value, text):
    [violation] = check(data_type, value)
    assert violation.path == "v"
    assert violation.expected == data_type.simpleString()
    assert text in violation.message


def test_violation_fields_say_where_what_and_why():
    [violation] = check(LongType(), "abc")
    assert violation == Violation("v", "bigint", "str 'abc'", "expected bigint, got str 'abc'")
    assert str(violation) == "v: expected bigint, got str 'abc'"


def test_violation_is_frozen():
    [violation] = check(LongType(), "abc")
    with pytest.raises(dataclasses.FrozenInstanceError):
        violation.path = "w"


def test_absent_or_null_field_is_fine_when_nullable():
    schema = StructType().add("a", LongType(), True)
    assert record_violations({}, schema) == []
    assert record_violations({"a": None}, schema) == []


def test_absent_non_nullable_field_is_a_violation():
    schema = StructType().add("a", LongType(), False)
    [violation] = record_violations({}, schema)
    assert (violation.path, violation.got) == ("a", "missing")
    assert "missing" in violation.message


def test_null_non_nullable_field_is_a_violation():
    [violation] = check(LongType(), None, nullable=False)
    assert (violation.path, violation.got) == ("v", "None")
    assert "non-nullable" in violation.message


def test_field_the_schema_lacks_is_a_violation():
    schema = StructType().add("a", LongType())
    [violation] = record_violations({"a": 1, "b": "x"}, schema)
    assert violation.path == "b"
    assert "not in schema" in violation.message


def test_nested_paths_are_dotted_and_indexed():
    item = StructType().add("sku", StringType(), False)
    schema = (
        StructType()
        .add("address", StructType().add("city", StringType()))
        .add("items", ArrayType(item))
        .add("attrs", MapType(StringType(), StringType()))
    )
    record = {
        "address": {"city": 7, "zip": "1000"},
        "items": [{"sku": "a"}, {"sku": "b"}, {}],
        "attrs": {"color": 3},
    }
    paths = [v.path for v in record_violations(record, schema)]
    assert paths == ["address.city", "address.zip", "items[2].sku", "attrs['color']"]


def test_null_array_element_breaks_contains_null_false():
    assert check(ArrayType(LongType(), containsNull=True), [1, None]) == []
    [violation] = check(ArrayType(LongType(), containsNull=False), [1, None])
    assert violation.path == "v[1]"
    assert "containsNull" in violation.message


def test_null_map_value_breaks_value_contains_null_false():
    [violation] = check(MapType(StringType(), LongType(), False), {"k": None})
    assert violation.path == "v['k']"
    assert "valueContainsNull" in violation.message


def test_map_keys_must_fit_the_key_type():
    assert check(MapType(LongType(), StringType()), {1: "a"}) == []
    [violation] = check(MapType(LongType(), StringType()), {"1": "a"})
    assert violation.path == "v['1']"
    assert violation.expected == "bigint"
    assert violation.message.startswith("map key:")


def test_map_values_are_checked():
    [violation] = check(MapType(StringType(), LongType()), {"k": "x"})
    assert (violation.path, violation.got) == ("v['k']", "str 'x'")


@pytest.mark.parametrize("value", ["x" * 10_000, ["y" * 100] * 100], ids=["str", "list"])
def test_got_value_is_cut_to_forty_characters(value):
    [violation] = check(LongType(), value)
    shown = violation.got.split(" ", 1)[1]
    assert len(shown) == 40
    assert "..." in shown
    assert violation.message == f"expected bigint, got {violation.got}"


def test_max_violations_bounds_the_list():
    schema = StructType([StructField(f"f{i}", LongType()) for i in range(30)])
    record = {f"f{i}": "bad" for i in range(30)}
    assert len(record_violations(record, schema)) == 20
    assert len(record_violations(record, schema, max_violations=3)) == 3
    assert [v.path for v in record_violations(record, schema, max_violations=2)] == ["f0", "f1"]


def test_record_that_is_not_a_dict_is_one_violation():
    [violation] = record_violations(["a"], StructType().add("a", LongType()))
    assert violation.path == "<record>"
    assert violation.expected == "struct<a:bigint>"


def test_schema_that_is_not_a_struct_is_an_input_error():
    with pytest.raises(InputError, match="`LongType`"):
        record_violations({}, LongType())


def test_pyspark_schemas_are_checked_the_same_way():
    spark_types = pytest.importorskip("pyspark.sql.types")
    schema = spark_types.StructType(
        [
            spark_types.StructField("id", spark_types.LongType(), False),
            spark_types.StructField("tags", spark_types.ArrayType(spark_types.StringType())),
        ]
    )
    paths = [v.path for v in record_violations({"tags": ["a", 2]}, schema)]
    assert paths == ["id", "tags[1]"]


def test_types_without_a_rule_accept_any_value():
    spark_types = pytest.importorskip("pyspark.sql.types")
    schema = spark_types.StructType([spark_types.StructField("v", spark_types.VariantType())])
    assert record_violations({"v": object()}, schema) == []
