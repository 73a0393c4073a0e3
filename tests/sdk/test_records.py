"""``conform``: a record shaped to its table's schema."""

from __future__ import annotations

import pytest

from skillpack.sdk.records import conform
from skillpack.sdk.schema import (
    BooleanType,
    DateType,
    DoubleType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

SCHEMA = StructType(
    [
        StructField("id", LongType()),
        StructField("name", StringType()),
        StructField("sent_at", TimestampType()),
        StructField("due", DateType()),
        StructField("rate", DoubleType()),
        StructField("active", BooleanType()),
    ]
)


@pytest.mark.parametrize("column", ["id", "sent_at", "due", "rate", "active"])
def test_an_empty_string_in_a_non_text_column_is_null(column):
    record = {"id": 7, "name": "a", column: ""}
    assert conform(record, SCHEMA)[column] is None


def test_an_empty_string_in_a_string_column_is_kept():
    assert conform({"id": 1, "name": ""}, SCHEMA)["name"] == ""


def test_a_value_that_is_set_is_kept_as_it_came():
    record = {"id": "12", "sent_at": "2024-05-01T10:00:00Z", "due": "2024-05-02", "rate": 3}
    shaped = conform(record, SCHEMA)
    assert (shaped["id"], shaped["sent_at"], shaped["due"], shaped["rate"]) == (
        12,
        "2024-05-01T10:00:00Z",
        "2024-05-02",
        3.0,
    )


def test_a_record_wrapped_in_its_list_item_is_taken_from_it():
    # FHIR's `entry[].resource`, GraphQL's `edges[].node`
    wrapped = {"fullUrl": "u", "resource": {"id": 3, "name": "b"}, "search": {"mode": "match"}}
    assert conform(wrapped, SCHEMA)["id"] == 3
    assert conform(wrapped, SCHEMA)["name"] == "b"
    # a record holding some of its fields itself is the record, objects in it or not
    own = {"id": 4, "owner": {"id": 9, "name": "c"}}
    assert conform(own, SCHEMA)["id"] == 4
    assert conform(own, SCHEMA)["name"] is None
    # two objects that could be the record: neither is taken
    assert conform({"a": {"id": 1}, "b": {"id": 2}}, SCHEMA)["id"] is None


def test_the_records_of_a_bundle_are_under_entry():
    from skillpack.sdk.records import find_records_path

    body = {"resourceType": "Bundle", "entry": [], "link": [{"relation": "self"}]}
    assert find_records_path(body) == "entry"


def test_a_nested_object_column_is_shaped_not_unwrapped():
    owner = StructType([StructField("id", LongType()), StructField("name", StringType())])
    schema = StructType([StructField("id", LongType()), StructField("owner", owner)])
    record = {"id": 1, "owner": {"team": {"id": 9, "name": "x"}, "kind": "group"}}
    assert conform(record, schema)["owner"] == {"id": None, "name": None}
