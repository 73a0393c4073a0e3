"""Batch reads: ``spark.read.format(NAME).option("tableName", T).load()``.

One partition runs the connector's read loop from the beginning. A connector that can split
its work says so with two methods (``skillpack.sdk.mixins.SupportsPartition``)::

    def get_partitions(self, table_name, table_options) -> list[dict]: ...
    def read_partition(self, table_name, partition, table_options) -> Iterator[dict]: ...

``get_partitions`` runs on the driver and returns JSON-ready descriptors (a page range, a
shard of ids, one value of a table option ...); Spark then reads each descriptor in its own
task with ``read_partition``; a table it answers ``False`` for in ``is_partitioned`` is read
in one. Deletes (``readDeletes``) are always read in one partition. Rows go to Spark as Arrow
record batches (``_arrow``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pyspark.sql.datasource import DataSourceReader, InputPartition
from pyspark.sql.types import StructType

from skillpack.errors import InputError
from skillpack.spark._arrow import record_batches
from skillpack.spark._convert import delete_converter
from skillpack.spark._errors import guarded, surfaced
from skillpack.spark._plan import ReadPlan
from skillpack.spark._reads import read_all


class ConnectorPartition(InputPartition):
    """One task's share of a batch read: the connector's descriptor, or ``None`` for all of it.

    Partitions show in Spark's plans and logs, so they never carry options or credentials.
    """

    def __init__(self, index: int, descriptor: dict | None) -> None:
        super().__init__(index)
        self.index = index
        self.descriptor = descriptor


def splits_work(connector_class: type) -> bool:
    """True when the connector class has ``get_partitions`` and ``read_partition``."""
    return callable(getattr(connector_class, "get_partitions", None)) and callable(
        getattr(connector_class, "read_partition", None)
    )


class ConnectorBatchReader(DataSourceReader):
    """Reads a table (or its deletes) in one or more partitions."""

    def __init__(self, plan: ReadPlan, schema: StructType) -> None:
        self.plan = plan
        self.schema = schema

    def partitions(self) -> list[InputPartition]:
        """One partition, or one per descriptor of the connector's ``get_partitions``."""
        plan = self.plan
        if plan.request.read_deletes or not splits_work(plan.connector_class):
            return [ConnectorPartition(0, None)]
        connector = plan.connect()
        with surfaced(plan.scrubber(), plan.where):
            is_partitioned = getattr(connector, "is_partitioned", None)
            if callable(is_partitioned) and not is_partitioned(plan.table):
                return [ConnectorPartition(0, None)]
            descriptors = list(connector.get_partitions(plan.table, plan.request.table_options))
            for descriptor in descriptors:
                check_descriptor(descriptor)
        return [ConnectorPartition(i, d) for i, d in enumerate(descriptors)]

    def read(self, partition: InputPartition) -> Iterator[Any]:
        """The rows of one partition: Arrow record batches, or tuples for deletes."""
        plan = self.plan
        return guarded(self._rows(partition), plan.scrubber(), plan.where)

    def _rows(self, partition: InputPartition) -> Iterator[Any]:
        plan = self.plan
        connector = plan.connect()
        descriptor = getattr(partition, "descriptor", None)
        if descriptor is not None:
            records = connector.read_partition(plan.table, descriptor, plan.request.table_options)
        else:
            records = read_all(plan.read_call(connector))
        if plan.request.read_deletes:
            convert = delete_converter(list(plan.primary_keys), self.schema)
            yield from map(convert, records)
        else:
            yield from record_batches(records, self.schema)


def check_descriptor(descriptor: Any) -> None:
    """Raise unless ``descriptor`` is a JSON-ready dict (it travels to a task)."""
    try:
        json.dumps(descriptor)
    except (TypeError, ValueError):
        descriptor = None
    if not isinstance(descriptor, dict):
        raise InputError(
            "get_partitions returned a descriptor that is not a JSON-ready dict",
            hint="return a list of dicts of str/int/float/bool values, e.g. [{'page': 1}]",
            code="bad-partition",
        )
