"""Small connectors for the Spark tests; Spark's workers import them from this module.

- ``ShardedLakeflowConnect``: the example connector, able to split a read into shards;
- ``LeakyLakeflowConnect``: fails with its credentials in the message, to prove masking;
- ``TypedLakeflowConnect``: rows whose JSON values need converting (timestamps, dates,
  decimals), served from memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sources.example.example import ExampleLakeflowConnect

from skillpack.errors import ConfigError, SourceError
from skillpack.sdk.connector import LakeflowConnect, unknown_table
from skillpack.sdk.schema import (
    ArrayType,
    DateType,
    DecimalType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampNTZType,
    TimestampType,
)

SHARDS = 3


class ShardedLakeflowConnect(ExampleLakeflowConnect):
    """The example connector, reading each table in ``SHARDS`` partitions (by record position)."""

    def get_partitions(self, table_name: str, table_options: dict[str, Any]) -> list[dict]:
        """One descriptor per shard."""
        self._table(table_name)
        return [{"shard": shard, "of": SHARDS} for shard in range(SHARDS)]

    def read_partition(
        self, table_name: str, partition: dict, table_options: dict[str, Any]
    ) -> Iterator[dict]:
        """The records whose position in a full read falls in this shard."""
        records, _ = self.read_table(table_name, None, table_options)
        return (r for i, r in enumerate(records) if i % partition["of"] == partition["shard"])


class LeakyLakeflowConnect(LakeflowConnect):
    """A connector whose errors quote its credentials; table option ``fail`` picks the error.

    ``fail=skillpack`` raises a ``SourceError`` with a hint, ``fail=plain`` a ``ValueError``;
    the option ``fail_at_init`` makes the constructor raise a ``ConfigError``.
    """

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__(options)
        if options.get("fail_at_init"):
            raise ConfigError(
                f"api_key `{options.get('api_key')}` is not valid for this account",
                hint=f"replace api_key `{options.get('api_key')}` with a current one",
            )

    def list_tables(self) -> list[str]:
        return ["things"]

    def get_table_schema(self, table_name: str, table_options: dict[str, Any]) -> StructType:
        if table_name != "things":
            raise unknown_table(table_name, self.list_tables())
        return StructType([StructField("id", LongType(), False)])

    def read_table_metadata(self, table_name: str, table_options: dict[str, Any]) -> dict:
        return {"primary_keys": ["id"], "cursor_field": None, "ingestion_type": "snapshot"}

    def read_table(
        self, table_name: str, start_offset: dict | None, table_options: dict[str, Any]
    ) -> tuple[Iterator[dict], dict]:
        key, passcode = self.options.get("api_key"), self.options.get("passcode")
        fail = table_options.get("fail")
        if fail == "skillpack":
            raise SourceError(
                f"the source refused token {key} (passcode {passcode})",
                hint=f"ask the source's admin to re-enable token {key}",
                code="refused",
            )
        if fail == "plain":
            raise ValueError(f"cannot sign the request with {key}")
        return iter([{"id": 1}, {"id": 2}]), {}


TYPED_SCHEMA = StructType(
    [
        StructField("id", LongType(), False),
        StructField("at", TimestampType(), True),
        StructField("local", TimestampNTZType(), True),
        StructField("day", DateType(), True),
        StructField("amount", DecimalType(10, 2), True),
        StructField(
            "window",
            StructType(
                [StructField("start", TimestampType(), True), StructField("label", StringType())]
            ),
            True,
        ),
        StructField("holidays", ArrayType(DateType(), True), True),
    ]
)

TYPED_ROWS = [
    {
        "id": 1,
        "at": "2024-03-01T10:30:00Z",
        "local": "2024-03-01T10:30:00",
        "day": "2024-03-01",
        "amount": "12.50",
        "window": {"start": "2024-03-01T00:00:00+01:00", "label": "morning"},
        "holidays": ["2024-12-25", None],
    },
    {
        "id": 2,
        "at": None,
        "local": None,
        "day": None,
        "amount": 7,
        "window": None,
        "holidays": None,
    },
]


class TypedLakeflowConnect(LakeflowConnect):
    """One snapshot table, ``typed``, whose JSON values need converting for Spark."""

    def list_tables(self) -> list[str]:
        return ["typed"]

    def get_table_schema(self, table_name: str, table_options: dict[str, Any]) -> StructType:
        return TYPED_SCHEMA

    def read_table_metadata(self, table_name: str, table_options: dict[str, Any]) -> dict:
        return {"primary_keys": ["id"], "cursor_field": None, "ingestion_type": "snapshot"}

    def read_table(
        self, table_name: str, start_offset: dict | None, table_options: dict[str, Any]
    ) -> tuple[Iterator[dict], dict]:
        return iter([dict(row) for row in TYPED_ROWS]), {}
