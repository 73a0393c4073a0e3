"""The connector contract: the base class every source implements.

The method names, arguments and return shapes are those of the Lakeflow
Community Connectors interface, so a connector written for it runs here after
changing only its imports::

    class MyLakeflowConnect(LakeflowConnect):
        def __init__(self, options: dict[str, str]) -> None: ...
        def list_tables(self) -> list[str]: ...
        def get_table_schema(self, table_name, table_options) -> StructType: ...
        def read_table_metadata(self, table_name, table_options) -> dict: ...
        def read_table(self, table_name, start_offset, table_options) -> (iterator, offset): ...
        def read_table_deletes(...)  # only for cdc_with_deletes tables

A read is finished when the offset it returns equals the offset it was given.
Subclassing is optional: the test suites duck-type any object with these methods.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any

INGESTION_TYPES = ("snapshot", "cdc", "cdc_with_deletes", "append")

#: keys ``read_table_metadata`` may return; the suite checks their meaning
METADATA_KEYS = ("primary_keys", "cursor_field", "ingestion_type")

Record = dict[str, Any]
Offset = dict[str, Any]


class LakeflowConnect(ABC):
    """Base class for a source connector; one instance serves every table of the source."""

    def __init__(self, options: dict[str, Any]) -> None:
        """Keep the connection options (credentials, base URL, ...) for later calls."""
        self.options = options

    @abstractmethod
    def list_tables(self) -> list[str]:
        """Names of the tables this source exposes, unique."""

    @abstractmethod
    def get_table_schema(self, table_name: str, table_options: dict[str, Any]) -> Any:
        """The table's schema: a ``skillpack.sdk.schema.StructType`` or a pyspark one."""

    @abstractmethod
    def read_table_metadata(self, table_name: str, table_options: dict[str, Any]) -> dict:
        """``primary_keys``, ``cursor_field`` and ``ingestion_type`` of the table."""

    @abstractmethod
    def read_table(
        self, table_name: str, start_offset: Offset | None, table_options: dict[str, Any]
    ) -> tuple[Iterator[Record], Offset]:
        """Records from ``start_offset`` on, and the offset to resume from next time."""

    def read_table_deletes(
        self, table_name: str, start_offset: Offset | None, table_options: dict[str, Any]
    ) -> tuple[Iterator[Record], Offset]:
        """Deleted records (at least their primary keys) since ``start_offset``.

        Required for tables whose ingestion type is ``cdc_with_deletes``.
        """
        raise NotImplementedError(f"{type(self).__name__} does not read deletes")


def unknown_table(table_name: str, known: list[str]) -> ValueError:
    """The error connectors raise for a table they do not have (the suite expects a raise)."""
    listed = ", ".join(f"`{t}`" for t in known)
    return ValueError(f"unknown table `{table_name}`; this source has {listed}")
