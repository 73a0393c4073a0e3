"""Connector for the example API (see example_api_doc.md beside this file)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from skillpack.errors import ConfigError
from skillpack.sdk.auth import BearerAuth
from skillpack.sdk.connector import LakeflowConnect, unknown_table
from skillpack.sdk.http import RestClient
from skillpack.sdk.mixins import SupportsPartitionedStream
from skillpack.sdk.offsets import advance_offset, cursor_from_offset
from skillpack.sdk.pagination import CursorPaginator
from skillpack.sdk.schema import (
    ArrayType,
    DoubleType,
    LongType,
    StringType,
    StructField,
    StructType,
)
from skillpack.sdk.window import ReadWindow

_ADDRESS = StructType(
    [StructField("city", StringType(), True), StructField("country", StringType(), True)]
)
_DIMENSIONS = StructType(
    [StructField("width", DoubleType(), True), StructField("height", DoubleType(), True)]
)

# name -> (schema, metadata, read path, name of the "changed since" query parameter)
_TABLES: dict[str, tuple[StructType, dict[str, Any], str, str | None]] = {
    "products": (
        StructType(
            [
                StructField("id", LongType(), False),
                StructField("name", StringType(), True),
                StructField("price", DoubleType(), True),
                StructField("dimensions", _DIMENSIONS, True),
                StructField("tags", ArrayType(StringType(), True), True),
            ]
        ),
        {"primary_keys": ["id"], "cursor_field": None, "ingestion_type": "snapshot"},
        "products",
        None,
    ),
    "customers": (
        StructType(
            [
                StructField("id", StringType(), False),
                StructField("name", StringType(), True),
                StructField("email", StringType(), True),
                StructField("address", _ADDRESS, True),
                StructField("updated_at", StringType(), False),
            ]
        ),
        {"primary_keys": ["id"], "cursor_field": "updated_at", "ingestion_type": "cdc"},
        "customers",
        "since",
    ),
    "orders": (
        StructType(
            [
                StructField("id", StringType(), False),
                StructField("customer_id", StringType(), True),
                StructField("amount", DoubleType(), True),
                StructField("status", StringType(), True),
                StructField("updated_at", StringType(), False),
            ]
        ),
        {
            "primary_keys": ["id"],
            "cursor_field": "updated_at",
            "ingestion_type": "cdc_with_deletes",
        },
        "orders",
        "since",
    ),
    "events": (
        StructType(
            [
                StructField("event_id", StringType(), False),
                StructField("seq", LongType(), False),
                StructField("type", StringType(), True),
                StructField("occurred_at", StringType(), True),
            ]
        ),
        {"primary_keys": ["event_id"], "cursor_field": "seq", "ingestion_type": "append"},
        "events",
        "after_seq",
    ),
}


#: table -> (the key its ranges split, the request parameters bounding a range)
_PARTITIONED = {"products": ("id", "id_from", "id_to"), "events": ("seq", "after_seq", "until_seq")}
#: partitions a read is split into unless the table option `partitions` says otherwise
DEFAULT_PARTITIONS = 4


class ExampleLakeflowConnect(LakeflowConnect, SupportsPartitionedStream):
    """Reads the example API: products, customers, orders (with deletes) and events.

    ``products`` (by id) and ``events`` (by seq) are also read by key ranges, in parallel on
    Spark; ``events`` streams in micro-batches up to the newest ``seq`` too.
    """

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__(options)
        missing = [k for k in ("base_url", "api_key") if not options.get(k)]
        if missing:
            raise ConfigError(
                f"missing option(s) {', '.join(f'`{k}`' for k in missing)}",
                hint="set base_url and api_key in the connector config",
            )
        self._page_size = int(options.get("page_size", 200))
        self._client = RestClient(
            options["base_url"], auth=BearerAuth(options["api_key"]), timeout=30.0
        )
        # A run reads each table up to the newest change its first read saw, so it ends
        # even while the source keeps changing; later changes are the next run's.
        self._window = ReadWindow()

    def list_tables(self) -> list[str]:
        return list(_TABLES)

    def _table(self, table_name: str) -> tuple[StructType, dict[str, Any], str, str | None]:
        if table_name not in _TABLES:
            raise unknown_table(table_name, list(_TABLES))
        return _TABLES[table_name]

    def get_table_schema(self, table_name: str, table_options: dict[str, Any]) -> StructType:
        return self._table(table_name)[0]

    def read_table_metadata(self, table_name: str, table_options: dict[str, Any]) -> dict:
        return dict(self._table(table_name)[1])

    def _fetch(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        pages = self._client.paginate(
            path,
            paginator=CursorPaginator(cursor_path="next_cursor", cursor_param="cursor"),
            params={"limit": self._page_size, **params},
            records_path="data",
        )
        return [record for page in pages for record in page]

    def read_table(
        self, table_name: str, start_offset: dict | None, table_options: dict[str, Any]
    ) -> tuple[Iterator[dict[str, Any]], dict]:
        _, meta, path, since_param = self._table(table_name)
        if since_param is None:
            # Snapshot: everything, every time; the empty offset ends the read at once.
            return iter(self._fetch(path, {})), {}
        cursor = cursor_from_offset(start_offset)
        records = self._fetch(path, {since_param: cursor} if cursor is not None else {})
        records = self._window.cap(table_name, records, meta["cursor_field"], cursor)
        return iter(records), advance_offset(start_offset, records, meta["cursor_field"])

    def read_table_deletes(
        self, table_name: str, start_offset: dict | None, table_options: dict[str, Any]
    ) -> tuple[Iterator[dict[str, Any]], dict]:
        if self._table(table_name)[1]["ingestion_type"] != "cdc_with_deletes":
            raise ValueError(f"table `{table_name}` does not track deletes")
        cursor = cursor_from_offset(start_offset)
        tombstones = self._fetch(
            f"{table_name}/deleted", {"since": cursor} if cursor is not None else {}
        )
        return iter(tombstones), advance_offset(start_offset, tombstones, "deleted_at")

    # ------------------------------------------------------------ partitions

    def is_partitioned(self, table_name: str) -> bool:
        self._table(table_name)
        return table_name in _PARTITIONED

    def latest_offset(
        self, table_name: str, table_options: dict[str, Any], start_offset: dict | None = None
    ) -> dict:
        """``{"cursor": newest seq}`` for ``events``: a micro-batch reads up to it."""
        if table_name != "events":
            raise ValueError(f"table `{table_name}` is not streamed by partitions")
        newest = self._client.get_json("events/bounds")["max_seq"]
        start = cursor_from_offset(start_offset)
        if newest is None or (start is not None and newest <= start):
            return dict(start_offset or {})
        return {"cursor": newest}

    def get_partitions(
        self,
        table_name: str,
        table_options: dict[str, Any],
        start_offset: dict | None = None,
        end_offset: dict | None = None,
    ) -> list[dict]:
        """Key ranges of equal width covering the table, or the offsets' range when given."""
        if table_name not in _PARTITIONED:
            raise ValueError(f"table `{table_name}` is not read by partitions")
        key = _PARTITIONED[table_name][0]
        count = _partitions(table_options.get("partitions"))
        if start_offset is None and end_offset is None:
            bounds = self._client.get_json(f"{table_name}/bounds")
            low, high = bounds[f"min_{key}"], bounds[f"max_{key}"]
            if low is None:
                return []
            low -= 1  # ranges are (low, high]
        else:
            low = cursor_from_offset(start_offset, default=0)
            high = cursor_from_offset(end_offset, default=low)
            if high <= low:
                return []
        width = max(1, -(-(high - low) // count))
        ranges = []
        for start in range(low, high, width):
            ranges.append({"after": start, "until": min(start + width, high)})
        return ranges

    def read_partition(
        self, table_name: str, partition: dict, table_options: dict[str, Any]
    ) -> Iterator[dict[str, Any]]:
        """The records with a key in the partition's range ``(after, until]``."""
        if table_name not in _PARTITIONED:
            raise ValueError(f"table `{table_name}` is not read by partitions")
        _, low_param, high_param = _PARTITIONED[table_name]
        after, until = int(partition["after"]), int(partition["until"])
        # products take an inclusive lower bound; events an exclusive one (after_seq)
        low = after + 1 if table_name == "products" else after
        path = self._table(table_name)[2]
        return iter(self._fetch(path, {low_param: low, high_param: until}))


def _partitions(value: Any) -> int:
    if value in (None, ""):
        return DEFAULT_PARTITIONS
    try:
        count = int(value)
    except (TypeError, ValueError):
        count = 0
    if count < 1:
        raise ConfigError(
            f"invalid table option partitions `{value}`", hint="use a whole number, e.g. 4"
        )
    return count
