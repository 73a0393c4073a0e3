"""Partitioned streaming: micro-batches planned from the connector's ``latest_offset``.

For a table the connector reads by partitions (``SupportsPartitionedStream``): each
micro-batch ends at the offset ``latest_offset`` reports, the range from the previous end is
split by ``get_partitions(table, options, start, end)``, and Spark reads the pieces in
parallel tasks with ``read_partition``, as Arrow record batches. Offsets are the connector's,
so a query restarted from its checkpoint plans the same ranges again.

Other tables stream with the simple reader (``_stream``), one read loop per micro-batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyspark.sql.datasource import DataSourceStreamReader, InputPartition
from pyspark.sql.types import StructType

from skillpack.spark._arrow import record_batches
from skillpack.spark._batch import ConnectorPartition, check_descriptor
from skillpack.spark._errors import guarded, surfaced
from skillpack.spark._plan import ReadPlan
from skillpack.spark._reads import checked_offset, same_offset
from skillpack.spark._stream import with_available_now


def streams_by_partition(plan: ReadPlan) -> bool:
    """True when the plan's table streams by partitions (rows, not deletes)."""
    cls = plan.connector_class
    methods = ("latest_offset", "get_partitions", "read_partition")
    if plan.request.read_deletes or not all(callable(getattr(cls, m, None)) for m in methods):
        return False
    is_partitioned = getattr(cls, "is_partitioned", None)
    if not callable(is_partitioned):
        return True
    with surfaced(plan.scrubber(), plan.where):
        return bool(plan.connect().is_partitioned(plan.table))


class ConnectorPartitionedStreamReader(*with_available_now(DataSourceStreamReader)):  # type: ignore[misc]
    """Micro-batches from ``latest_offset``, read in parallel with ``read_partition``."""

    def __init__(self, plan: ReadPlan, schema: StructType) -> None:
        self.plan = plan
        self.schema = schema
        self._connector: Any = None
        # pyspark 4.0 calls latestOffset() without the start: remember the last end here.
        self._last: dict = {}
        self._available_now = False
        self._target: dict | None = None

    def initialOffset(self) -> dict:
        """``{}``: a new stream starts from the beginning of the table."""
        return {}

    def prepareForTriggerAvailableNow(self) -> None:
        """Fix the end at what is there now; the stream stops once it gets there."""
        self._available_now = True
        self._target = None

    def latestOffset(self, start: dict | None = None, limit: Any = None) -> dict:
        """The connector's newest offset (the end of the next micro-batch)."""
        if self._available_now and self._target is not None:
            return self._target
        plan = self.plan
        begin = self._last if start is None else start
        with surfaced(plan.scrubber(), plan.where):
            end = checked_offset(
                self._connect().latest_offset(plan.table, plan.request.table_options, begin or {})
            )
        self._last = end
        if self._available_now:
            self._target = end
        return end

    def partitions(self, start: dict, end: dict) -> list[InputPartition]:
        """One partition per descriptor ``get_partitions`` gives for ``start`` to ``end``."""
        if same_offset(start, end):
            return []
        plan = self.plan
        with surfaced(plan.scrubber(), plan.where):
            descriptors = list(
                self._connect().get_partitions(
                    plan.table, plan.request.table_options, start or {}, end
                )
            )
            for descriptor in descriptors:
                check_descriptor(descriptor)
        return [ConnectorPartition(i, d) for i, d in enumerate(descriptors)]

    def read(self, partition: InputPartition) -> Iterator[Any]:
        """The partition's records as Arrow record batches (runs in a task)."""
        plan = self.plan
        return guarded(self._batches(partition), plan.scrubber(), plan.where)

    def _batches(self, partition: InputPartition) -> Iterator[Any]:
        plan = self.plan
        connector = plan.connect()
        records = connector.read_partition(
            plan.table, partition.descriptor, plan.request.table_options
        )
        yield from record_batches(records, self.schema)

    def commit(self, end: dict) -> None:
        """Nothing to release: ranges are planned from offsets alone."""

    def _connect(self) -> Any:
        if self._connector is None:
            self._connector = self.plan.connect()
        return self._connector

    def __getstate__(self) -> dict:
        # The connector (an HTTP session, maybe) stays on the driver.
        return {**self.__dict__, "_connector": None}
