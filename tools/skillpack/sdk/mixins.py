"""Optional capabilities a connector adds beside ``LakeflowConnect``.

The method names and signatures are the Lakeflow Community Connectors interface's, so a
connector written against either package imports cleanly and runs under either suite::

    from skillpack.sdk.connector import LakeflowConnect
    from skillpack.sdk.mixins import SupportsPartitionedStream

    class MyConnector(LakeflowConnect, SupportsPartitionedStream):
        def latest_offset(self, table_name, table_options, start_offset=None) -> dict: ...
        def get_partitions(self, table_name, table_options, start_offset=None,
                           end_offset=None) -> list[dict]: ...
        def read_partition(self, table_name, partition, table_options): ...

The test suites recognise these mixins and the interface's own classes alike
(``skillpack.testing.SupportsPartitionTests`` and ``SupportsPartitionedStreamTests``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any


class SupportsPartition(ABC):
    """Batch reads split into partitions that Spark spreads over its executors."""

    @abstractmethod
    def get_partitions(self, table_name: str, table_options: dict[str, Any]) -> Sequence[dict]:
        """Partition descriptors covering the whole table; each must be JSON-serialisable."""

    @abstractmethod
    def read_partition(
        self, table_name: str, partition: dict, table_options: dict[str, Any]
    ) -> Iterator[dict]:
        """Records of one partition; runs on an executor, so it must be self-contained."""


class SupportsPartitionedStream(SupportsPartition):
    """Partitioned reads that also stream: micro-batches bounded by offsets."""

    def is_partitioned(self, table_name: str) -> bool:
        """False for a table that should be read with ``read_table`` instead."""
        return True

    @abstractmethod
    def latest_offset(
        self,
        table_name: str,
        table_options: dict[str, Any],
        start_offset: dict | None = None,
    ) -> dict:
        """The newest offset available; returns ``start_offset`` itself when nothing is new.

        Cap it at the time the connector was built (``self._init_time``) so a stream that
        keeps receiving data still terminates under ``Trigger.AvailableNow``.
        """

    @abstractmethod
    def get_partitions(
        self,
        table_name: str,
        table_options: dict[str, Any],
        start_offset: dict | None = None,
        end_offset: dict | None = None,
    ) -> Sequence[dict]:
        """Partitions for ``(start_offset, end_offset]``; none when the two are equal.

        With both offsets ``None`` (a batch read) the partitions cover the whole table.
        """


class SupportsNamespaces(ABC):
    """Tables grouped in a tree of namespaces (catalogs, projects, folders)."""

    @abstractmethod
    def list_namespaces(self, prefix: list[str] | None = None) -> list[list[str]]:
        """Full paths of the namespaces one level under ``prefix`` (the root when empty)."""

    @abstractmethod
    def list_tables_in_namespace(self, namespace: list[str]) -> list[str]:
        """Names of the tables directly under ``namespace`` (``[]`` is the root)."""
