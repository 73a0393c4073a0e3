"""The schema model: pyspark-compatible types, Spark JSON, JSON Schema and conversions."""

from __future__ import annotations

import json
import sys
from types import SimpleNamespace

import jsonschema
import pytest

import skillpack.sdk.schema as schema_module
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
    coerce_schema,
    from_json,
    to_json_schema,
    to_spark,
)

PYSPARK_NAMES = [
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
]


def every_type_schema(t):
    """A schema using every type, built from module ``t`` (ours or pyspark.sql.types)."""
    address = t.StructType(
        [t.StructField("city", t.StringType()), t.StructField("zip", t.ShortType())]
    )
    return t.StructType(
        [
            t.StructField("id", t.LongType(), False, {"comment": "primary key"}),
            t.StructField("count", t.IntegerType()),
            t.StructField("small", t.ShortType()),
            t.StructField("tiny", t.ByteType()),
            t.StructField("ratio", t.DoubleType()),
            t.StructField("score", t.FloatType()),
            t.StructField("active", t.BooleanType()),
            t.StructField("born", t.DateType()),
            t.StructField("seen_at", t.TimestampType()),
            t.StructField("local_at", t.TimestampNTZType()),
            t.StructField("price", t.DecimalType(12, 2)),
            t.StructField("default_decimal", t.DecimalType()),
            t.StructField("blob", t.BinaryType()),
            t.StructField("nothing", t.NullType()),
            t.StructField("name", t.StringType(), nullable=False),
            t.StructField("tags", t.ArrayType(t.StringType(), containsNull=False)),
            t.StructField(
                "attrs", t.MapType(t.StringType(), t.LongType(), valueContainsNull=False)
            ),
            t.StructField("address", address),
            t.StructField("history", t.ArrayType(t.MapType(t.StringType(), address))),
        ]
    )


@pytest.mark.parametrize(
    ("data_type", "simple", "json_value"),
    [
        (StringType(), "string", "string"),
        (LongType(), "bigint", "long"),
        (IntegerType(), "int", "integer"),
        (ShortType(), "smallint", "short"),
        (ByteType(), "tinyint", "byte"),
        (DoubleType(), "double", "double"),
        (FloatType(), "float", "float"),
        (BooleanType(), "boolean", "boolean"),
        (DateType(), "date", "date"),
        (TimestampType(), "timestamp", "timestamp"),
        (TimestampNTZType(), "timestamp_ntz", "timestamp_ntz"),
        (DecimalType(), "decimal(10,0)", "decimal(10,0)"),
        (DecimalType(5, 2), "decimal(5,2)", "decimal(5,2)"),
        (BinaryType(), "binary", "binary"),
        (NullType(), "void", "void"),
        (
            ArrayType(LongType()),
            "array<bigint>",
            {"type": "array", "elementType": "long", "containsNull": True},
        ),
        (
            MapType(StringType(), IntegerType(), False),
            "map<string,int>",
            {
                "type": "map",
                "keyType": "string",
                "valueType": "integer",
                "valueContainsNull": False,
            },
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_each_type_names_itself_like_spark(data_type, simple, json_value):
    assert data_type.simpleString() == simple
    assert data_type.jsonValue() == json_value
    assert from_json(data_type.json()) == data_type


def test_type_names_match_spark_json_names():
    assert LongType.typeName() == "long"
    assert TimestampNTZType().typeName() == "timestamp_ntz"
    assert NullType().typeName() == "void"
    assert DecimalType(3, 1).typeName() == "decimal"
    assert StructType().typeName() == "struct"


def test_struct_simple_string_nests():
    schema = StructType().add("id", LongType()).add("tags", ArrayType(StringType()))
    assert schema.simpleString() == "struct<id:bigint,tags:array<string>>"


def test_constructor_defaults_match_pyspark():
    assert DecimalType() == DecimalType(10, 0)
    assert ArrayType(StringType()).containsNull is True
    assert MapType(StringType(), LongType()).valueContainsNull is True
    field = StructField("a", LongType())
    assert (field.nullable, field.metadata) == (True, {})
    assert StructType().fields == []


def test_struct_add_accepts_field_or_name_and_type_and_returns_self():
    schema = StructType()
    returned = schema.add("id", LongType(), False).add(StructField("name", StringType()))
    schema.add("price", "decimal(5,2)", metadata={"comment": "in euros"})
    assert returned is schema
    assert schema.fieldNames() == ["id", "name", "price"]
    assert schema["id"].nullable is False
    assert schema["price"].dataType == DecimalType(5, 2)
    assert schema["price"].metadata == {"comment": "in euros"}


def test_struct_add_without_type_is_an_input_error():
    with pytest.raises(InputError, match="needs a data type"):
        StructType().add("id")


def test_struct_indexes_by_name_position_and_slice():
    schema = StructType([StructField("a", LongType()), StructField("b", StringType())])
    assert schema["b"].dataType == StringType()
    assert schema[0].name == "a"
    assert schema[-1].name == "b"
    assert schema[1:] == StructType([StructField("b", StringType())])
    assert [f.name for f in schema] == ["a", "b"]
    assert len(schema) == 2


def test_struct_unknown_name_raises_key_error_naming_known_fields():
    schema = StructType([StructField("a", LongType())])
    with pytest.raises(KeyError, match="`a`"):
        schema["missing"]
    with pytest.raises(IndexError):
        schema[5]


def test_equality_compares_every_parameter():
    base = StructType([StructField("a", LongType(), True, {"x": 1})])
    assert base == StructType([StructField("a", LongType(), True, {"x": 1})])
    assert base != StructType([StructField("a", LongType(), False, {"x": 1})])
    assert base != StructType([StructField("a", LongType(), True, {"x": 2})])
    assert base != StructType([StructField("a", IntegerType(), True, {"x": 1})])
    assert DecimalType(5, 2) != DecimalType(5, 1)
    assert ArrayType(LongType(), True) != ArrayType(LongType(), False)
    assert LongType() != IntegerType()
    assert hash(ArrayType(LongType())) == hash(ArrayType(LongType()))


def test_constructors_refuse_something_that_is_not_a_type():
    with pytest.raises(InputError, match="`str`"):
        ArrayType("string")
    with pytest.raises(InputError, match="StructField"):
        StructType([("a", LongType())])


def test_json_round_trip_is_exact():
    schema = every_type_schema(schema_module)
    text = schema.json()
    assert from_json(text) == schema
    assert from_json(text).json() == text
    assert StructType.fromJson(json.loads(text)) == schema
    assert from_json(schema.jsonValue()) == schema


def test_from_json_reads_bare_names_quoted_names_and_spaced_decimals():
    assert from_json("long") == LongType()
    assert from_json('"integer"') == IntegerType()
    assert from_json("decimal( 7 , 3 )") == DecimalType(7, 3)


def test_from_json_defaults_nullable_like_pyspark():
    parsed = from_json({"type": "struct", "fields": [{"name": "a", "type": "long"}]})
    assert parsed == StructType([StructField("a", LongType(), True)])


def test_from_json_unknown_type_lists_the_known_ones():
    with pytest.raises(InputError, match=r"unknown Spark type `varchar\(3\)`.*`long`"):
        from_json({"type": "struct", "fields": [{"name": "a", "type": "varchar(3)"}]})


def test_from_json_malformed_input_is_an_input_error():
    with pytest.raises(InputError, match="missing key `fields`") as caught:
        from_json({"type": "struct"})
    assert caught.value.code == "bad-schema"
    with pytest.raises(InputError, match="not-json"):
        from_json("{not-json")


def test_star_import_provides_the_pyspark_names():
    namespace: dict = {}
    exec("from skillpack.sdk.schema import *", namespace)
    assert set(PYSPARK_NAMES) <= set(namespace)
    assert all(hasattr(schema_module, name) for name in schema_module.__all__)


def test_json_equals_pyspark_for_every_type():
    spark_types = pytest.importorskip("pyspark.sql.types")
    ours = every_type_schema(schema_module)
    theirs = every_type_schema(spark_types)
    assert ours.json() == theirs.json()
    assert ours.simpleString() == theirs.simpleString()
    assert repr(ours) == repr(theirs)


def test_pyspark_parses_our_json_into_the_same_schema():
    spark_types = pytest.importorskip("pyspark.sql.types")
    ours = every_type_schema(schema_module)
    parsed = spark_types.StructType.fromJson(json.loads(ours.json()))
    assert parsed == every_type_schema(spark_types)


def test_to_spark_builds_an_equal_pyspark_schema():
    spark_types = pytest.importorskip("pyspark.sql.types")
    converted = to_spark(every_type_schema(schema_module))
    assert isinstance(converted, spark_types.StructType)
    assert converted == every_type_schema(spark_types)


def test_to_spark_without_pyspark_names_the_extra(monkeypatch):
    # a None entry in sys.modules makes the import fail as if pyspark were not installed
    monkeypatch.setitem(sys.modules, "pyspark.sql.types", None)
    with pytest.raises(InputError) as caught:
        to_spark(StructType().add("a", LongType()))
    assert caught.value.hint == "pip install 'connector-skillpack[spark]'"


def test_coerce_schema_returns_our_struct_unchanged():
    schema = StructType().add("a", LongType())
    assert coerce_schema(schema) is schema


def test_coerce_schema_reads_json_dicts_and_strings():
    schema = every_type_schema(schema_module)
    assert coerce_schema(schema.jsonValue()) == schema
    assert coerce_schema(schema.json()) == schema


def test_coerce_schema_duck_types_objects_with_json_value():
    foreign = SimpleNamespace(jsonValue=lambda: StructType().add("a", LongType()).jsonValue())
    assert coerce_schema(foreign) == StructType().add("a", LongType())


def test_coerce_schema_accepts_a_pyspark_struct():
    spark_types = pytest.importorskip("pyspark.sql.types")
    assert coerce_schema(every_type_schema(spark_types)) == every_type_schema(schema_module)


def test_coerce_schema_rejects_other_objects_naming_their_type():
    with pytest.raises(InputError, match="`list`"):
        coerce_schema([("a", "long")])


def test_coerce_schema_rejects_a_type_that_is_not_a_struct():
    with pytest.raises(InputError, match="must be a struct, got `bigint`"):
        coerce_schema("long")


def test_json_schema_is_valid_draft_2020_12():
    result = to_json_schema(every_type_schema(schema_module))
    assert result["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(result)


def test_json_schema_maps_each_type():
    props = to_json_schema(every_type_schema(schema_module))["properties"]
    assert props["id"]["type"] == "integer"
    assert props["id"]["description"] == "primary key"
    assert props["count"]["type"] == ["integer", "null"]
    assert props["ratio"]["type"] == ["number", "null"]
    assert props["price"]["type"] == ["number", "string", "null"]
    assert props["active"]["type"] == ["boolean", "null"]
    assert props["born"] == {"type": ["string", "null"], "format": "date"}
    assert props["seen_at"] == {"type": ["string", "null"], "format": "date-time"}
    assert props["blob"] == {"type": ["string", "null"]}
    assert props["nothing"] == {"type": "null"}
    assert props["name"] == {"type": "string"}
    assert props["tags"]["items"] == {"type": "string"}
    assert props["attrs"]["additionalProperties"]["type"] == "integer"
    assert props["address"]["properties"]["city"] == {"type": ["string", "null"]}


def test_json_schema_requires_exactly_the_non_nullable_fields():
    result = to_json_schema(every_type_schema(schema_module))
    assert result["required"] == ["id", "name"]
    assert "required" not in result["properties"]["address"]


def test_json_schema_accepts_a_good_record_and_refuses_bad_ones():
    validator = jsonschema.Draft202012Validator(
        to_json_schema(every_type_schema(schema_module)),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    good = {
        "id": 1,
        "name": "Ada",
        "price": "12.50",
        "born": "1815-12-10",
        "tags": ["x"],
        "attrs": {"k": 2},
        "address": {"city": None, "zip": 1234},
        "history": [{"home": {"city": "London"}}],
    }
    assert list(validator.iter_errors(good)) == []
    bad_cases = [
        {"name": "Ada"},  # id is required
        {**good, "id": "1"},  # wrong type
        {**good, "tiny": 300},  # out of byte range
        {**good, "price": "twelve"},  # not numeric text
        {**good, "born": "1815-13-10"},  # not a date
        {**good, "tags": [None]},  # containsNull is false
        {**good, "extra": 1},  # not in schema
    ]
    for bad in bad_cases:
        assert list(validator.iter_errors(bad)), bad


def test_json_schema_accepts_a_pyspark_schema():
    spark_types = pytest.importorskip("pyspark.sql.types")
    ours = every_type_schema(schema_module)
    assert to_json_schema(every_type_schema(spark_types)) == to_json_schema(ours)
