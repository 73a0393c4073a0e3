"""Records (dicts) to ``pyarrow.RecordBatch`` in the schema's Arrow form, column by column.

pyspark 4 lets a Python data source's ``read`` yield record batches instead of row tuples.
A tuple costs Spark a Python-level type check and conversion per value; a batch is built by
``pyarrow.array`` per column, in C, and handed to the JVM as it is. Values JSON cannot carry
(timestamps, dates, decimals) go through the same converters as the tuple path first.

The batch schema is exactly the one Spark expects (``to_arrow_schema(schema, timezone="UTC")``,
the function Spark's worker checks batches against), so a mismatch shows here, naming the
column, rather than as a schema error inside Spark.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any

import pyarrow as pa
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import StructType

from skillpack.errors import InputError
from skillpack.spark._convert import column_converters

#: rows per record batch: large enough to amortise the per-batch cost, small enough to stream
ROWS_PER_BATCH = 8192


def arrow_schema(schema: StructType) -> pa.Schema:
    """The Arrow schema Spark expects batches of ``schema`` to have."""
    return to_arrow_schema(schema, timezone="UTC")


def record_batches(
    records: Iterable[Mapping[str, Any]], schema: StructType, rows: int = ROWS_PER_BATCH
) -> Iterator[pa.RecordBatch]:
    """``records`` as record batches of up to ``rows`` rows each (none for no records)."""
    target = arrow_schema(schema)
    names = schema.fieldNames()
    fixes = column_converters(schema)
    it = iter(records)
    while chunk := list(islice(it, rows)):
        columns = []
        for name, fix, field in zip(names, fixes, target, strict=True):
            values = [r.get(name) for r in chunk]
            if fix is not None:
                values = [None if v is None else fix(v) for v in values]
            columns.append(_column(values, field))
        yield pa.RecordBatch.from_arrays(columns, schema=target)


def _column(values: list[Any], field: pa.Field) -> pa.Array:
    try:
        return pa.array(values, type=field.type)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError) as exc:
        bad = next((v for v in values if not _fits(v, field.type)), None)
        shown = repr(bad)[:60] if bad is not None else "a value"
        raise InputError(
            f"column `{field.name}`: {shown} does not fit its type {field.type} ({exc})"[:400],
            hint="return values that match get_table_schema, or change the column's type "
            "(the generic suite's schema checks point at the record)",
            code="bad-value",
        ) from None


def _fits(value: Any, data_type: pa.DataType) -> bool:
    if value is None:
        return True
    try:
        pa.array([value], type=data_type)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
        return False
    return True
