"""Suites for connectors that read through partitions: add one beside the generic suite.

::

    class TestMyConnector(LakeflowConnectTests, SupportsPartitionedStreamTests):
        connector_class = MyLakeflowConnect

``SupportsPartitionTests`` checks batch partitions (``get_partitions`` + ``read_partition``);
``SupportsPartitionedStreamTests`` adds the streaming half (``latest_offset``, offset ranges,
micro-batch convergence). The host class supplies ``connector``, ``_opts`` and the table
lists (``LakeflowConnectTests`` does). Test names match the Lakeflow Community Connectors
suites, so results of the two compare test by test.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

from skillpack.testing import _checkout
from skillpack.testing._failures import describe_exception, fail_all
from skillpack.testing._reads import SuiteFailure, bounded_read
from skillpack.testing._records import check_population, check_records
from skillpack.testing.causes import tagged


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


class SupportsPartitionTests:
    """Batch partitions: descriptors are stable plain dicts and each one reads on its own."""

    sample_records: ClassVar[int] = 200

    def _partition_tables(self) -> list[str]:
        tables = self._partitioned_tables()  # type: ignore[attr-defined]
        if not tables:
            pytest.skip("no table is read through partitions")
        return tables

    def _per_table(self, tables: list[str], check: Callable[[str], None]) -> None:
        errors = []
        for table in tables:
            try:
                check(table)
            except SuiteFailure as exc:
                errors.append(str(exc))
            except Exception as exc:
                errors.append(describe_exception(table, exc))
        fail_all(errors)

    def _partitions(self, table: str, **offsets: Any) -> list[Any]:
        found = self.connector.get_partitions(table, self._opts(table), **offsets)  # type: ignore[attr-defined]
        if isinstance(found, (str, bytes, dict)) or not hasattr(found, "__len__"):
            raise SuiteFailure(
                "partition-invalid",
                f"table `{table}`: get_partitions returned {type(found).__name__}, expected a list",
            )
        bad = [i for i, p in enumerate(found) if not isinstance(p, dict)]
        if bad:
            raise SuiteFailure(
                "partition-invalid", f"table `{table}`: partition #{bad[0]} is not a dict"
            )
        return list(found)

    def _read_partitions(self, table: str, partitions: list[dict]) -> list[dict[str, Any]]:
        """Records of ``partitions`` in order, ``sample_records`` at most, each checked."""
        opts = self._opts(table)  # type: ignore[attr-defined]
        raw = self.connector.get_table_schema(table, opts)  # type: ignore[attr-defined]
        try:
            meta = self.connector.read_table_metadata(table, opts) or {}  # type: ignore[attr-defined]
        except Exception:
            meta = {}
        records: list[dict[str, Any]] = []
        for i, partition in enumerate(partitions):
            budget = self.sample_records - len(records)
            if budget <= 0:
                break
            label = f"read_partition(`{table}`, partition #{i})"
            got = bounded_read(
                lambda p=partition: (
                    self.connector.read_partition(table, p, opts),  # type: ignore[attr-defined]
                    None,
                ),
                cap=budget,
                timeout=self.read_timeout_s,  # type: ignore[attr-defined]
                label=label,
            ).records
            err = check_records(table, raw, meta, got, method="read_partition")
            if err:
                raise SuiteFailure(err[1 : err.index("]")], f"{label}: {err[err.index(']') + 2 :]}")
            records.extend(got)
        return records

    def test_get_partitions(self) -> None:
        """get_partitions returns a non-empty list of dicts for each partitioned table."""

        def check(table: str) -> None:
            if not self._partitions(table):
                raise SuiteFailure(
                    "partition-invalid", f"table `{table}`: get_partitions returned no partitions"
                )

        self._per_table(self._partition_tables(), check)

    def test_get_partitions_stable(self) -> None:
        """Two calls give the same partitions (Spark may plan twice)."""

        def check(table: str) -> None:
            first, second = self._partitions(table), self._partitions(table)
            if first != second:
                raise SuiteFailure(
                    "partition-invalid",
                    f"table `{table}`: get_partitions changed between two calls "
                    f"({first[:2]!r}... vs {second[:2]!r}...)",
                )

        self._per_table(self._partition_tables(), check)

    def test_partition_descriptors_serializable(self) -> None:
        """Every descriptor survives JSON (it travels to the executors)."""

        def check(table: str) -> None:
            bad = [i for i, p in enumerate(self._partitions(table)) if not _is_json(p)]
            if bad:
                raise SuiteFailure(
                    "partition-invalid",
                    f"table `{table}`: partition #{bad[0]} is not JSON-serialisable",
                )

        self._per_table(self._partition_tables(), check)

    def test_read_partition(self) -> None:
        """read_partition yields records fitting the schema, and some partition has data."""

        def check(table: str) -> None:
            partitions = self._partitions(table)
            if not partitions:
                raise SuiteFailure("partition-invalid", f"table `{table}`: no partitions to read")
            if not self._read_partitions(table, partitions):
                raise SuiteFailure(
                    "partition-read", f"table `{table}`: every partition read returned no records"
                )

        self._per_table(self._partition_tables(), check)

    def test_every_column_populated_by_at_least_one_partition_record(self) -> None:
        """Offline, every schema column is filled in at least one partition record."""
        tables = self._partition_tables()
        if self._mode != _checkout.MODE_SIMULATE:  # type: ignore[attr-defined]
            pytest.skip("column coverage is checked offline only, where the data is fixed")
        errors = []
        for table in tables:
            try:
                raw = self.connector.get_table_schema(table, self._opts(table))  # type: ignore[attr-defined]
                records = self._read_partitions(table, self._partitions(table))
            except Exception:  # test_read_partition reports it
                continue
            err = check_population(table, raw, records, self.allow_null_columns)  # type: ignore[attr-defined]
            if err:
                errors.append(err)
        fail_all(errors)


class SupportsPartitionedStreamTests(SupportsPartitionTests):
    """Streaming partitions: offsets are plain dicts and micro-batches come to an end."""

    max_microbatch_iterations: ClassVar[int] = 20

    def _latest(self, table: str, start: dict | None = None, *, first: bool = False) -> dict:
        opts = self._opts(table)  # type: ignore[attr-defined]
        if first:
            offset = self.connector.latest_offset(table, opts)  # type: ignore[attr-defined]
        else:
            offset = self.connector.latest_offset(table, opts, start_offset=start)  # type: ignore[attr-defined]
        if not isinstance(offset, dict):
            raise SuiteFailure(
                "offset-invalid",
                f"table `{table}`: latest_offset returned {type(offset).__name__}, expected a dict",
            )
        return offset

    def test_is_partitioned(self) -> None:
        """is_partitioned answers a bool for every table."""
        conn = self._require_connector()  # type: ignore[attr-defined]
        if not isinstance(conn, _checkout.partitioned_stream_classes()):
            fail_all([tagged("partition-contract", f"{type(conn).__name__} has no is_partitioned")])
        fail_all(
            [
                tagged("partition-contract", f"table `{t}`: is_partitioned returned a non-bool")
                for t in self._tables()  # type: ignore[attr-defined]
                if not isinstance(conn.is_partitioned(t), bool)
            ]
        )

    def test_latest_offset(self) -> None:
        """latest_offset returns a non-empty JSON-serialisable dict."""

        def check(table: str) -> None:
            offset = self._latest(table, first=True)
            if not offset or not _is_json(offset):
                raise SuiteFailure(
                    "offset-invalid",
                    f"table `{table}`: latest_offset returned {offset!r}; it must be a "
                    "non-empty dict of JSON values",
                )

        self._per_table(self._partition_tables(), check)

    def test_latest_offset_with_start(self) -> None:
        """latest_offset accepts its own answer back as start_offset."""

        def check(table: str) -> None:
            self._latest(table, self._latest(table, first=True))

        self._per_table(self._partition_tables(), check)

    def test_microbatch_offset_convergence(self) -> None:
        """Feeding each end offset back as the next start reaches a fixed point."""

        def check(table: str) -> None:
            end = self._latest(table, first=True)
            start: dict | None = None
            for _ in range(self.max_microbatch_iterations):
                self._partitions(table, start_offset=start, end_offset=end)
                start, end = end, self._latest(table, end)
                if end == start:
                    return
            raise SuiteFailure(
                "offset-not-converged",
                f"table `{table}`: offset still moving after {self.max_microbatch_iterations} "
                f"micro-batches (last {start!r} -> {end!r})",
            )

        self._per_table(self._partition_tables(), check)

    def test_get_partitions_with_offsets(self) -> None:
        """get_partitions accepts the range (None, latest_offset]."""

        def check(table: str) -> None:
            self._partitions(table, start_offset=None, end_offset=self._latest(table, first=True))

        self._per_table(self._partition_tables(), check)

    def test_equal_offsets_empty_partitions(self) -> None:
        """An empty range (start == end) has no partitions."""

        def check(table: str) -> None:
            offset = self._latest(table, first=True)
            found = self._partitions(table, start_offset=offset, end_offset=offset)
            if found:
                raise SuiteFailure(
                    "partition-invalid",
                    f"table `{table}`: {len(found)} partitions for an empty range "
                    "(start_offset == end_offset)",
                )

        self._per_table(self._partition_tables(), check)

    def test_partitioned_stream_round_trip(self) -> None:
        """latest_offset, then get_partitions over that range, then read_partition on each."""

        def check(table: str) -> None:
            end = self._latest(table, first=True)
            partitions = self._partitions(table, start_offset=None, end_offset=end)
            if partitions:
                self._read_partitions(table, partitions)

        self._per_table(self._partition_tables(), check)
