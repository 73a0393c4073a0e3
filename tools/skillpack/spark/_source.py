"""The Python Data Source class that wraps one connector class, and its registration."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar

from pyspark.sql.datasource import (
    DataSource,
    DataSourceReader,
    DataSourceStreamReader,
    SimpleDataSourceStreamReader,
)
from pyspark.sql.types import StructType

from skillpack.errors import InputError
from skillpack.layout import validate_source_name
from skillpack.spark._batch import ConnectorBatchReader
from skillpack.spark._errors import surfaced
from skillpack.spark._options import parse_request
from skillpack.spark._plan import ReadPlan, build_plan
from skillpack.spark._pstream import ConnectorPartitionedStreamReader, streams_by_partition
from skillpack.spark._py4j_log import mask_option_values
from skillpack.spark._stream import ConnectorStreamReader

_CONTRACT = ("list_tables", "get_table_schema", "read_table_metadata", "read_table")
_SUFFIX = re.compile(r"_?lakeflow_?connect(or)?$")


class ConnectorDataSource(DataSource):
    """A Python Data Source reading the tables of ``connector_class``.

    Subclasses made by :func:`data_source_for` set the class attributes; Spark builds one
    instance per read with the read's options.
    """

    connector_class: ClassVar[type]
    source_name: ClassVar[str] = ""
    option_names: ClassVar[tuple[str, ...]] = ()
    secret_options: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def name(cls) -> str:
        """The format name: ``spark.read.format(NAME)``."""
        return cls.source_name

    def schema(self) -> StructType:
        """The table's schema, or the key columns plus ``_deleted`` with ``readDeletes``."""
        return self._plan().schema

    def reader(self, schema: StructType) -> DataSourceReader:
        """A batch reader: the whole table in one or more partitions."""
        return ConnectorBatchReader(self._plan(), schema)

    def streamReader(self, schema: StructType) -> DataSourceStreamReader:
        """A partitioned micro-batch reader, for tables the connector streams by partitions.

        Other tables make this raise pyspark's not-implemented error, on which Spark falls
        back to :meth:`simpleStreamReader`.
        """
        plan = self._plan()
        if plan.is_incremental and streams_by_partition(plan):
            return ConnectorPartitionedStreamReader(plan, schema)
        return super().streamReader(schema)

    def simpleStreamReader(self, schema: StructType) -> SimpleDataSourceStreamReader:
        """A micro-batch reader over an incremental table; snapshot tables are refused."""
        plan = self._plan()
        if not plan.is_incremental:
            with surfaced(plan.scrubber(), plan.where):
                raise InputError(
                    f"`{plan.table}` is a {plan.ingestion_type} table, which has no offsets "
                    "to stream from",
                    hint="read it in batch with spark.read (not spark.readStream)",
                    code="snapshot-stream",
                )
        return ConnectorStreamReader(plan, schema)

    def _plan(self) -> ReadPlan:
        # schema() and reader() run in one planner process on the same instance: plan once.
        plan = getattr(self, "_read_plan", None)
        if plan is None:
            request = parse_request(
                self.options, option_names=self.option_names, secret_keys=self.secret_options
            )
            plan = build_plan(self.source_name, self.connector_class, request)
            self._read_plan = plan
        return plan


def data_source_for(
    connector_class: type,
    name: str | None = None,
    *,
    option_names: Iterable[str] = (),
    secret_options: Iterable[str] = (),
) -> type[ConnectorDataSource]:
    """A ``pyspark.sql.datasource.DataSource`` subclass reading ``connector_class``'s tables.

    ``name`` is the format name (default: the class name without ``LakeflowConnect``, in
    snake case, e.g. ``example``). ``option_names`` restores the spelling of option names
    Spark lowercases (``clientId``); ``secret_options`` names credential options whose names
    do not look secret, so they are masked in errors too.
    """
    _check_connector(connector_class)
    source = validate_source_name(name if name is not None else default_name(connector_class))
    attributes: dict[str, Any] = {
        "connector_class": connector_class,
        "source_name": source,
        "option_names": tuple(option_names),
        "secret_options": tuple(secret_options),
        "__doc__": f"Spark data source `{source}` over {connector_class.__qualname__}.",
        "__module__": __name__,
    }
    return type(f"{connector_class.__name__}DataSource", (ConnectorDataSource,), attributes)


def register(
    spark: Any,
    connector_class: type,
    name: str | None = None,
    *,
    option_names: Iterable[str] = (),
    secret_options: Iterable[str] = (),
) -> type[ConnectorDataSource]:
    """Register ``connector_class`` with ``spark`` as a data source and return its class.

    >>> register(spark, ExampleLakeflowConnect, "example")  # doctest: +SKIP
    >>> spark.read.format("example").option("tableName", "products").options(**cfg).load()

    The class must import on the Python workers (an installed package, or a folder on
    ``spark.executorEnv.PYTHONPATH``).
    """
    source = data_source_for(
        connector_class, name, option_names=option_names, secret_options=secret_options
    )
    # Options travel to the JVM as py4j commands, which py4j logs verbatim at DEBUG.
    mask_option_values(source.secret_options)
    spark.dataSource.register(source)
    return source


def default_name(connector_class: type) -> str:
    """``ExampleLakeflowConnect`` -> ``example``; ``MyAPILakeflowConnect`` -> ``my_api``."""
    snake = re.sub(
        r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", connector_class.__name__
    )
    return _SUFFIX.sub("", snake.lower()) or snake.lower()


def _check_connector(connector_class: Any) -> None:
    missing = [m for m in _CONTRACT if not callable(getattr(connector_class, m, None))]
    if not isinstance(connector_class, type) or missing:
        shown = getattr(connector_class, "__name__", type(connector_class).__name__)
        lacking = f"; it lacks {', '.join(f'`{m}`' for m in missing)}" if missing else ""
        raise InputError(
            f"`{shown}` is not a connector class{lacking}",
            hint="pass the LakeflowConnect subclass itself (not an instance), e.g. "
            "register(spark, ExampleLakeflowConnect)",
            code="not-a-connector",
        )
