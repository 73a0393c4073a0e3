"""Streaming reads of incremental tables: ``spark.readStream.format(NAME)...load()``.

Spark's offsets are the connector's offsets (``{}`` before the first read), so a stream
restarted from its checkpoint resumes where it stopped. The reader is Spark's *simple*
stream reader, which every pyspark 4.x has: each micro-batch runs the connector's read loop
once, on the driver, from the batch's start offset; Spark keeps those records for the batch
and ships them to the tasks, so nothing is fetched twice. A micro-batch that was planned but
not committed before a restart is read again with :func:`read_between`, up to its recorded
end offset.

A snapshot table has no offsets to stream from and is refused; read it in batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pyspark.sql.datasource import SimpleDataSourceStreamReader
from pyspark.sql.types import StructType

from skillpack.spark._convert import delete_converter, row_converter
from skillpack.spark._errors import guarded, surfaced
from skillpack.spark._plan import ReadPlan
from skillpack.spark._reads import read_batch, read_between, same_offset

try:  # not every pyspark 4 release lets Python sources take part in Trigger.AvailableNow
    from pyspark.sql.streaming.datasource import SupportsTriggerAvailableNow
except ImportError:  # pragma: no cover - depends on the installed pyspark
    _AVAILABLE_NOW: tuple[type, ...] = ()
else:
    _AVAILABLE_NOW = (SupportsTriggerAvailableNow,)


def with_available_now(base: type) -> tuple[type, ...]:
    """``base``, plus pyspark's Trigger.AvailableNow mixin where the release has it."""
    return (base, *_AVAILABLE_NOW)


class ConnectorStreamReader(*with_available_now(SimpleDataSourceStreamReader)):  # type: ignore[misc]
    """A micro-batch stream over one incremental table (or its deletes)."""

    def __init__(self, plan: ReadPlan, schema: StructType) -> None:
        self.plan = plan
        self.schema = schema
        self._connector = None
        # With Trigger.AvailableNow the stream ends once a read has caught up with the source.
        self._available_now = False
        self._caught_up = False

    def initialOffset(self) -> dict:
        """``{}``: a new stream starts with the connector's first read."""
        return {}

    def prepareForTriggerAvailableNow(self) -> None:
        """Read what is there now and then stop: later reads report no new data."""
        self._available_now = True
        self._caught_up = False

    def read(self, start: dict) -> tuple[Iterator[tuple], dict]:
        """The records after ``start`` and the offset they end at (``start`` when none)."""
        plan = self.plan
        if self._available_now and self._caught_up:
            return iter(()), start
        with surfaced(plan.scrubber(), plan.where):
            records, end, settled = read_batch(
                plan.read_call(self._connect()), start, plan.request.max_reads_per_batch
            )
            rows = list(map(self._converter(), records))
        self._caught_up = self._caught_up or settled
        if same_offset(end, start):
            return iter(()), start
        return iter(rows), end

    def readBetweenOffsets(self, start: dict, end: dict) -> Iterator[tuple]:
        """The records of the batch from ``start`` to ``end``, read again after a restart."""
        plan = self.plan
        # Replays run in the tasks, on a copy of this reader: connect afresh there.
        with surfaced(plan.scrubber(), plan.where):
            cursor_field = None if plan.request.read_deletes else plan.cursor_field
            records = read_between(plan.read_call(plan.connect()), start, end, cursor_field)
        return guarded(map(self._converter(), records), plan.scrubber(), plan.where)

    def commit(self, end: dict) -> None:
        """Nothing to release: the connector keeps no state between reads."""

    def _connect(self) -> Any:
        # A new connector per micro-batch: each batch is a run of its own, so a connector
        # that caps a run at what its first read saw (ReadWindow, _init_time) moves on.
        self._connector = self.plan.connect()
        return self._connector

    def _converter(self) -> Callable[[Any], tuple]:
        plan = self.plan
        if plan.request.read_deletes:
            return delete_converter(list(plan.primary_keys), self.schema)
        return row_converter(self.schema)

    def __getstate__(self) -> dict:
        # The connector (an HTTP session, maybe) stays on the driver.
        return {**self.__dict__, "_connector": None}
