"""Everything a Spark reader needs to read one table, worked out once on the driver.

A :class:`ReadPlan` is built where Spark plans the read (a Python process on the driver)
and pickled to the Python workers with the reader. It holds the connector's class, not an
instance: a connector may keep an HTTP session that does not pickle, so each worker builds
its own with :meth:`ReadPlan.connect`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pyspark.sql.types import StructType

from skillpack.errors import InputError, known_values
from skillpack.sdk.connector import INGESTION_TYPES
from skillpack.sdk.redaction import RedactingFilter
from skillpack.sdk.schema import coerce_schema, to_spark
from skillpack.spark._convert import delete_schema
from skillpack.spark._errors import surfaced
from skillpack.spark._options import DELETED_COLUMN, READ_DELETES, TABLE_NAME, ReadRequest
from skillpack.spark._reads import ReadCall, checked_offset

_INCREMENTAL = ("cdc", "cdc_with_deletes", "append")


@dataclass(frozen=True)
class ReadPlan:
    """One table's read: the request, the table's schema and metadata, the connector class."""

    source: str
    connector_class: type
    request: ReadRequest
    table: str
    #: the table's own schema (the rows); ``schema`` is what the read yields
    table_schema: StructType
    schema: StructType
    ingestion_type: str
    primary_keys: tuple[str, ...]
    cursor_field: str | None

    @property
    def where(self) -> str:
        """How errors name this read, e.g. ``example table `orders```."""
        kind = " (deletes)" if self.request.read_deletes else ""
        return f"{self.source} table `{self.table}`{kind}"

    @property
    def is_incremental(self) -> bool:
        """True for tables read from an offset (cdc, cdc_with_deletes, append)."""
        return self.ingestion_type in _INCREMENTAL

    def scrubber(self) -> RedactingFilter:
        """Masks this read's credentials in text."""
        return self.request.scrubber()

    def connect(self) -> Any:
        """A fresh connector instance for this read (errors surfaced with their hint)."""
        return connect(self.source, self.connector_class, self.request)

    def read_call(self, connector: Any) -> ReadCall:
        """``offset -> (records, next offset)`` for the rows, or the deletes with readDeletes."""
        table, options = self.table, self.request.table_options
        method = connector.read_table_deletes if self.request.read_deletes else connector.read_table

        def call(offset: dict | None) -> tuple[Iterable[dict], dict]:
            records, nxt = method(table, offset, options)
            return records, checked_offset(nxt) if nxt else {}

        return call


def connect(source: str, connector_class: type, request: ReadRequest) -> Any:
    """``connector_class(options)``, with a failure reported without the options' secrets."""
    with surfaced(request.scrubber(), f"{source} connector"):
        return connector_class(dict(request.connector_options))


def build_plan(source: str, connector_class: type, request: ReadRequest) -> ReadPlan:
    """Ask the connector for the table's schema and metadata and check the request fits."""
    connector = connect(source, connector_class, request)
    scrubber = request.scrubber()
    with surfaced(scrubber, f"{source} connector"):
        table = _table(source, connector, request)
    where = f"{source} table `{table}`"
    with surfaced(scrubber, where):
        table_schema = to_spark(
            coerce_schema(connector.get_table_schema(table, request.table_options))
        )
        metadata = dict(connector.read_table_metadata(table, request.table_options) or {})
        ingestion_type = metadata.get("ingestion_type") or "snapshot"
        if ingestion_type not in INGESTION_TYPES:
            raise InputError(
                known_values("ingestion_type", ingestion_type, INGESTION_TYPES),
                hint="fix read_table_metadata",
                code="bad-metadata",
            )
        primary_keys = tuple(metadata.get("primary_keys") or ())
        schema = table_schema
        if request.read_deletes:
            if ingestion_type != "cdc_with_deletes":
                raise InputError(
                    f"`{READ_DELETES}` needs a cdc_with_deletes table; "
                    f"`{table}` is {ingestion_type}",
                    hint=f'drop .option("{READ_DELETES}", "true") for this table',
                    code="no-deletes",
                )
            schema = delete_schema(table_schema, list(primary_keys), DELETED_COLUMN)
    return ReadPlan(
        source=source,
        connector_class=connector_class,
        request=request,
        table=table,
        table_schema=table_schema,
        schema=schema,
        ingestion_type=ingestion_type,
        primary_keys=primary_keys,
        cursor_field=metadata.get("cursor_field") or None,
    )


def _table(source: str, connector: Any, request: ReadRequest) -> str:
    tables = list(connector.list_tables())
    if request.table is None:
        listed = ", ".join(f"`{t}`" for t in tables)
        raise InputError(
            f"option `{TABLE_NAME}` is missing; {source} has {listed}",
            hint=f'add .option("{TABLE_NAME}", NAME) to the read',
            code="missing-table-name",
        )
    if request.table not in tables:
        raise InputError(
            known_values("table", request.table, tables),
            hint=f'set .option("{TABLE_NAME}", ...) to one of the tables listed',
            code="unknown-table",
        )
    return request.table
