"""Partitioned reads: one Spark partition per connector partition, batch and streaming, with
rows sent as Arrow record batches; the same rows as the connector's own read."""

from __future__ import annotations

import pytest

from tests.spark._requirements import require_pyspark

require_pyspark()

import pyarrow as pa  # noqa: E402
from sources.example.example import ExampleLakeflowConnect  # noqa: E402

from skillpack.spark._batch import ConnectorBatchReader  # noqa: E402
from skillpack.spark._options import parse_request  # noqa: E402
from skillpack.spark._plan import build_plan  # noqa: E402
from tests.spark._helpers import connector_records, keyed, project, rows, run_available_now  # noqa: E402

pytestmark = pytest.mark.spark


def _config(server) -> dict[str, str]:
    return {"base_url": server.url, "api_key": server.api_key}


def _direct(server, table: str) -> list[dict]:
    return connector_records(ExampleLakeflowConnect(_config(server)), table)


@pytest.mark.parametrize(("table", "key"), [("products", "id"), ("events", "seq")])
def test_batch_read_has_a_spark_partition_per_connector_partition(
    spark, sources, example_api, table, key
) -> None:
    df = (
        spark.read.format("example")
        .option("tableName", table)
        .option("partitions", "3")
        .options(**_config(example_api))
        .load()
    )
    expected = [project(r, df.schema) for r in _direct(example_api, table)]
    assert df.rdd.getNumPartitions() == 3
    assert keyed(rows(df), key) == keyed(expected, key)


def test_unpartitioned_table_of_a_partitioned_connector_reads_in_one(
    spark, sources, example_api
) -> None:
    df = spark.read.format("example").option("tableName", "customers")
    df = df.options(**_config(example_api)).load()
    assert df.rdd.getNumPartitions() == 1
    assert len(rows(df)) == 40


def test_partitioned_stream_plans_micro_batches_from_latest_offset(
    spark, sources, example_api, tmp_path
) -> None:
    checkpoint = tmp_path / "checkpoint"
    events = (
        spark.readStream.format("example")
        .option("tableName", "events")
        .option("partitions", "2")
        .options(**_config(example_api))
        .load()
    )
    first = run_available_now(events, checkpoint)
    with example_api.store.lock:
        added = [example_api.store.add_event({"event_id": f"new-{i}"}) for i in range(3)]
    second = run_available_now(events, checkpoint)
    third = run_available_now(events, checkpoint)

    assert sorted(r["seq"] for _, b in first for r in b) == list(range(1, 121))
    assert keyed([r for _, b in second for r in b], "seq") == added
    assert [r for _, b in third for r in b] == []


def test_batch_reader_yields_arrow_record_batches(example_api) -> None:
    request = parse_request({"tableName": "products", **_config(example_api)})
    plan = build_plan("example", ExampleLakeflowConnect, request)
    reader = ConnectorBatchReader(plan, plan.schema)
    partitions = reader.partitions()
    batches = [b for p in partitions for b in reader.read(p)]
    assert batches and all(isinstance(b, pa.RecordBatch) for b in batches)
    assert sum(b.num_rows for b in batches) == 40
    assert batches[0].schema.names == plan.schema.fieldNames()
