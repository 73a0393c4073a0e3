"""Batch reads through Spark equal the connector's own reads, value for value."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from tests.spark._requirements import require_pyspark

require_pyspark()

from sources.example.example import ExampleLakeflowConnect  # noqa: E402
from sources.kinto.kinto import KintoLakeflowConnect  # noqa: E402

from skillpack.errors import InputError  # noqa: E402
from skillpack.sdk.schema import coerce_schema, to_spark  # noqa: E402
from skillpack.spark import data_source_for, default_name  # noqa: E402
from tests.spark._connectors import SHARDS  # noqa: E402
from tests.spark._helpers import connector_records, keyed, project, rows  # noqa: E402

pytestmark = pytest.mark.spark

EXAMPLE_KEYS = {"products": "id", "customers": "id", "orders": "id", "events": "event_id"}


def _config(server) -> dict[str, str]:
    return {"base_url": server.url, "api_key": server.api_key}


@pytest.mark.parametrize("table", sorted(EXAMPLE_KEYS))
def test_example_table_read_by_spark_equals_the_connector_read(spark, sources, example_api, table):
    config = _config(example_api)
    connector = ExampleLakeflowConnect(config)
    schema = connector.get_table_schema(table, {})
    expected = [project(r, schema) for r in connector_records(connector, table)]

    df = spark.read.format("example").option("tableName", table).options(**config).load()

    assert df.schema == to_spark(coerce_schema(schema))
    got = rows(df)
    assert len(got) == len(expected) > 0
    assert keyed(got, EXAMPLE_KEYS[table]) == keyed(expected, EXAMPLE_KEYS[table])


@pytest.mark.parametrize("table", ["collections", "tasks", "notes"])
def test_kinto_table_read_by_spark_equals_the_connector_read(spark, sources, kinto, table):
    config = kinto.config()
    connector = KintoLakeflowConnect(config)
    schema = connector.get_table_schema(table, {})
    expected = [project(r, schema) for r in connector_records(connector, table)]

    df = spark.read.format("kinto").option("tableName", table).options(**config).load()

    assert df.schema == to_spark(coerce_schema(schema))
    got = rows(df)
    assert len(got) == len(expected) > 0
    assert keyed(got, "id") == keyed(expected, "id")


def test_example_deletes_read_as_keys_marked_deleted(spark, sources, example_api):
    with example_api.store.lock:
        assert example_api.store.delete_order("o00003")
        assert example_api.store.delete_order("o00007")

    df = (
        spark.read.format("example")
        .option("tableName", "orders")
        .option("readDeletes", "true")
        .options(**_config(example_api))
        .load()
    )

    assert df.columns == ["id", "_deleted"]
    assert keyed(rows(df), "id") == [
        {"id": "o00003", "_deleted": True},
        {"id": "o00007", "_deleted": True},
    ]


def test_kinto_deletes_equal_the_connectors_delete_feed(spark, sources, kinto):
    config = kinto.config()
    tombstones = connector_records(KintoLakeflowConnect(config), "tasks", deletes=True)

    df = (
        spark.read.format("kinto")
        .option("tableName", "tasks")
        .option("readDeletes", "true")
        .options(**config)
        .load()
    )

    got = rows(df)
    assert len(got) == len(tombstones) > 0
    assert keyed(got, "id") == keyed([{"id": t["id"], "_deleted": True} for t in tombstones], "id")


def test_connector_that_splits_work_is_read_in_its_partitions(spark, sources, example_api):
    config = _config(example_api)
    expected = connector_records(ExampleLakeflowConnect(config), "products")

    df = spark.read.format("sharded").option("tableName", "products").options(**config).load()

    assert df.rdd.getNumPartitions() == SHARDS
    assert keyed(rows(df), "id") == keyed(expected, "id")


def test_json_values_are_converted_to_the_schemas_spark_types(spark, sources):
    df = spark.read.format("typed").option("tableName", "typed").load()

    first, second = keyed(rows(df), "id")
    # pyspark hands TimestampType values back as naive local times: compare them as instants.
    first["at"] = _utc(first["at"])
    first["window"]["start"] = _utc(first["window"]["start"])
    utc = timezone.utc
    assert first == {
        "id": 1,
        "at": datetime(2024, 3, 1, 10, 30, tzinfo=utc),
        "local": datetime(2024, 3, 1, 10, 30),
        "day": date(2024, 3, 1),
        "amount": Decimal("12.50"),
        "window": {"start": datetime(2024, 2, 29, 23, 0, tzinfo=utc), "label": "morning"},
        "holidays": [date(2024, 12, 25), None],
    }
    assert second == {
        "id": 2,
        "at": None,
        "local": None,
        "day": None,
        "amount": Decimal("7.00"),
        "window": None,
        "holidays": None,
    }


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def test_missing_table_name_names_the_tables_to_choose_from(spark, sources, example_api):
    with pytest.raises(Exception) as caught:
        spark.read.format("example").options(**_config(example_api)).load()

    text = str(caught.value)
    assert "[missing-table-name]" in text
    assert "`products`" in text and "`events`" in text
    assert 'hint: add .option("tableName", NAME)' in text


def test_deletes_of_a_table_without_them_are_refused(spark, sources, example_api):
    reader = (
        spark.read.format("example")
        .option("tableName", "customers")
        .option("readDeletes", "true")
        .options(**_config(example_api))
    )

    with pytest.raises(Exception, match=r"\[no-deletes\].*`customers` is cdc"):
        reader.load()


def test_a_class_that_is_not_a_connector_is_refused_with_a_hint():
    with pytest.raises(InputError) as caught:
        data_source_for(dict, "nope")

    assert caught.value.code == "not-a-connector"
    assert "`read_table`" in caught.value.message
    assert "register(spark, ExampleLakeflowConnect)" in caught.value.hint


def test_default_format_name_comes_from_the_connector_class():
    assert default_name(ExampleLakeflowConnect) == "example"
    assert default_name(KintoLakeflowConnect) == "kinto"
    assert data_source_for(ExampleLakeflowConnect).name() == "example"
