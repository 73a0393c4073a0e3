"""Partitioned reads: the two optional mixins of the Lakeflow Community Connectors interface.

A connector that can split a table's read into independent pieces (id or date ranges, one
piece per parent such as per repository or per project) says so by mixing one in; Spark
then reads each piece in its own task. Method names and arguments are upstream's, so a
connector written for either runs on both::

    class MyLakeflowConnect(LakeflowConnect, SupportsPartitionedStream):
        def get_partitions(self, table_name, table_options, start_offset=None, end_offset=None):
            return [{"from_id": 1, "to_id": 500}, {"from_id": 501, "to_id": 1000}]

        def read_partition(self, table_name, partition, table_options):
            return iter(self._fetch(table_name, partition))

        def latest_offset(self, table_name, table_options, start_offset=None):
            return {"max_id": self._newest_id(table_name)}

Descriptors and offsets are dicts of JSON values: they travel to Spark's tasks and into its
checkpoints. A table the connector does not split answers ``False`` from ``is_partitioned``
and is read with ``read_table`` as usual.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any


class SupportsPartition(ABC):
    """A connector whose batch reads split into partitions Spark reads in parallel."""

    def is_partitioned(self, table_name: str) -> bool:
        """Whether ``table_name`` is read by partitions; the others use ``read_table``."""
        return True

    @abstractmethod
    def get_partitions(self, table_name: str, table_options: dict[str, Any]) -> Sequence[dict]:
        """Descriptors covering the whole table, one per partition (JSON-ready dicts)."""

    @abstractmethod
    def read_partition(
        self, table_name: str, partition: dict, table_options: dict[str, Any]
    ) -> Iterator[dict]:
        """The records of one partition; runs in a Spark task, so it must stand alone."""


class SupportsPartitionedStream(SupportsPartition):
    """A connector whose streaming micro-batches are offset ranges split into partitions."""

    @abstractmethod
    def latest_offset(
        self, table_name: str, table_options: dict[str, Any], start_offset: dict | None = None
    ) -> dict:
        """The newest offset available now (``start_offset`` is ``{}`` on the first call).

        Sizing a micro-batch (a row count, a time window) is the connector's choice: return
        an offset no further than it wants one batch to reach.
        """

    @abstractmethod
    def get_partitions(  # type: ignore[override]
        self,
        table_name: str,
        table_options: dict[str, Any],
        start_offset: dict | None = None,
        end_offset: dict | None = None,
    ) -> Sequence[dict]:
        """Descriptors covering ``start_offset`` (exclusive) to ``end_offset`` (inclusive).

        Both ``None`` for a batch read (the whole table); an empty list when they are equal.
        """
