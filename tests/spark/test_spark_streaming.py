"""Streaming reads: the connector's offsets are Spark's, so checkpoints resume exactly."""

from __future__ import annotations

import pytest

from tests.spark._requirements import require_pyspark

require_pyspark()

from sources.kinto.kinto import KintoLakeflowConnect  # noqa: E402

from skillpack.testing.kinto_server import TASKS_SCHEMA  # noqa: E402
from tests.spark._helpers import (  # noqa: E402
    connector_records,
    keyed,
    project,
    run_available_now,
)

pytestmark = pytest.mark.spark


def _stream(spark, fmt: str, table: str, config: dict, **options: str):
    reader = spark.readStream.format(fmt).option("tableName", table).options(**config)
    return reader.options(**options).load()


def _example(server) -> dict[str, str]:
    return {"base_url": server.url, "api_key": server.api_key}


def _all_rows(batches) -> list[dict]:
    return [row for _, batch in batches for row in batch]


def test_append_stream_reads_all_then_the_new_row_then_nothing_after_restart(
    spark, sources, example_api, tmp_path
):
    checkpoint = tmp_path / "checkpoint"
    events = _stream(spark, "example", "events", _example(example_api))

    first = run_available_now(events, checkpoint)
    with example_api.store.lock:
        added = example_api.store.add_event({"event_id": "e-new", "type": "signup"})
    second = run_available_now(events, checkpoint)
    third = run_available_now(events, checkpoint)

    assert len(_all_rows(first)) == len(example_api.store.events) - 1 == 120
    assert sorted(r["seq"] for r in _all_rows(first)) == list(range(1, 121))
    assert _all_rows(second) == [added]
    assert _all_rows(third) == []


def test_cdc_stream_delivers_changed_rows_once(spark, sources, example_api, tmp_path):
    checkpoint = tmp_path / "checkpoint"
    customers = _stream(spark, "example", "customers", _example(example_api))

    first = run_available_now(customers, checkpoint)
    with example_api.store.lock:
        changed = example_api.store.add_customer(
            {"id": "c0005", "name": "Renamed", "email": None, "city": "Faro", "country": "PT"}
        )
    second = run_available_now(customers, checkpoint)

    assert len(_all_rows(first)) == 40
    assert _all_rows(second) == [changed]


def test_rows_written_during_an_available_now_run_wait_for_the_next_run(
    spark, sources, example_api, tmp_path
):
    checkpoint = tmp_path / "checkpoint"
    events = _stream(spark, "example", "events", _example(example_api))
    written: list[dict] = []

    def write_one(batch_id: int) -> None:
        if not written:  # once: a source that kept growing would keep a broken run going
            with example_api.store.lock:
                written.append(example_api.store.add_event({"event_id": "during-run"}))

    first = run_available_now(events, checkpoint, on_batch=write_one)
    second = run_available_now(events, checkpoint)

    assert len(first) == 1 and len(first[0][1]) == 120
    assert len(written) == 1
    assert _all_rows(second) == written


def test_delete_stream_delivers_each_delete_once(spark, sources, example_api, tmp_path):
    checkpoint = tmp_path / "checkpoint"
    deletes = _stream(spark, "example", "orders", _example(example_api), readDeletes="true")

    first = run_available_now(deletes, checkpoint)
    with example_api.store.lock:
        assert example_api.store.delete_order("o00011")
    second = run_available_now(deletes, checkpoint)
    third = run_available_now(deletes, checkpoint)

    assert _all_rows(first) == []
    assert _all_rows(second) == [{"id": "o00011", "_deleted": True}]
    assert _all_rows(third) == []


def test_batch_replayed_after_a_restart_holds_the_same_rows(spark, sources, example_api, tmp_path):
    checkpoint = tmp_path / "checkpoint"
    events = _stream(spark, "example", "events", _example(example_api))
    first = run_available_now(events, checkpoint)
    # As if the query died after planning its last batch but before committing it.
    last_batch = first[-1][0]
    commits = checkpoint / "commits"
    (commits / str(last_batch)).unlink()
    # Spark's checksum file of the commit too, or it refuses to write the commit again.
    (commits / f".{last_batch}.crc").unlink(missing_ok=True)
    with example_api.store.lock:
        added = example_api.store.add_event({"event_id": "e-after", "type": "late"})

    again = run_available_now(events, checkpoint)

    assert again[0][0] == last_batch
    assert keyed(again[0][1], "seq") == keyed(first[-1][1], "seq")
    assert _all_rows(again[1:]) == [added]


def test_snapshot_table_cannot_be_streamed(spark, sources, example_api, tmp_path):
    products = _stream(spark, "example", "products", _example(example_api))

    with pytest.raises(Exception) as caught:
        run_available_now(products, tmp_path / "checkpoint")

    text = str(caught.value)
    assert "[snapshot-stream]" in text
    assert "read it in batch with spark.read" in text


def test_kinto_stream_reads_a_collection_then_only_the_new_record(spark, sources, kinto, tmp_path):
    config = kinto.config()
    path = f"buckets/{kinto.bucket}/collections/stream_tasks"
    with kinto.client() as client:
        client.put(path, json={"data": {"schema": TASKS_SCHEMA}})
        for i in range(7):
            client.post(f"{path}/records", json={"data": {"title": f"T{i}", "priority": i}})
    connector = KintoLakeflowConnect(config)
    schema = connector.get_table_schema("stream_tasks", {})
    seeded = [project(r, schema) for r in connector_records(connector, "stream_tasks")]
    tasks = _stream(spark, "kinto", "stream_tasks", config)

    first = run_available_now(tasks, tmp_path / "checkpoint")
    with kinto.client() as client:
        created = client.post(f"{path}/records", json={"data": {"title": "New", "done": True}})
    second = run_available_now(tasks, tmp_path / "checkpoint")

    assert keyed(_all_rows(first), "id") == keyed(seeded, "id")
    assert len(seeded) == 7
    new_id = created.json()["data"]["id"]
    assert [(r["id"], r["title"], r["done"]) for r in _all_rows(second)] == [(new_id, "New", True)]
