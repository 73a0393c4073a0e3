"""Reading through Spark and reading the connector directly, in comparable shapes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql.types import StructType


def connector_records(connector: Any, table: str, *, deletes: bool = False) -> list[dict]:
    """Every record of a full read, by the contract's own loop (offset stops changing)."""
    read = connector.read_table_deletes if deletes else connector.read_table
    offset: dict | None = None
    records: list[dict] = []
    for _ in range(1000):
        batch, nxt = read(table, offset, {})
        records.extend(batch)
        if (nxt or {}) == (offset or {}):
            return records
        offset = nxt
    raise AssertionError(f"the read of `{table}` never settled")


def project(value: Any, data_type: Any) -> Any:
    """``value`` with struct fields in schema order and keys outside the schema dropped."""
    if isinstance(data_type, StructType) and isinstance(value, dict):
        return {f.name: project(value.get(f.name), f.dataType) for f in data_type.fields}
    if isinstance(value, list) and hasattr(data_type, "elementType"):
        return [project(v, data_type.elementType) for v in value]
    return value


def rows(df: DataFrame) -> list[dict]:
    """The DataFrame's rows as plain dicts (nested rows too)."""
    return [row.asDict(recursive=True) for row in df.collect()]


def keyed(records: list[dict], key: str) -> list[dict]:
    """``records`` sorted by ``key``, for order-free comparison."""
    return sorted(records, key=lambda r: r[key])


def run_available_now(
    df: DataFrame, checkpoint: Path, on_batch: Callable[[int], None] | None = None
) -> list[tuple[int, list[dict]]]:
    """Run a streaming DataFrame once with Trigger.AvailableNow: (batch id, rows) per batch.

    ``on_batch(batch_id)`` runs after each batch is collected, while the query is running.
    """
    batches: list[tuple[int, list[dict]]] = []

    def collect(batch: DataFrame, batch_id: int) -> None:
        batches.append((batch_id, rows(batch)))
        if on_batch is not None:
            on_batch(batch_id)

    query = (
        df.writeStream.foreachBatch(collect)
        .option("checkpointLocation", str(checkpoint))
        .trigger(availableNow=True)
        .start()
    )
    query.awaitTermination()
    return batches
