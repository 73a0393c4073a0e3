"""The connector's read loop as the Spark readers need it; plain Python, no pyspark.

A connector read is finished when ``read_table`` hands back the offset it was given (``None``
and ``{}`` count as equal). A batch read runs that loop from the start; a streaming
micro-batch runs it from the batch's start offset, bounded by a number of calls, and a
replayed micro-batch (after a restart) runs it again up to the batch's recorded end.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from skillpack.errors import InputError, SourceError
from skillpack.sdk.offsets import compare_cursors, cursor_from_offset, get_path

Record = dict[str, Any]
Offset = dict[str, Any]
ReadCall = Callable[[Offset | None], tuple[Iterable[Record], Offset]]


def same_offset(a: Offset | None, b: Offset | None) -> bool:
    """True when two offsets are equal, ``None`` counting as ``{}``."""
    return (a or {}) == (b or {})


def as_start(offset: Offset | None) -> Offset | None:
    """The offset to hand the connector: ``None`` on a first read, as the contract says."""
    return offset or None


def read_all(read: ReadCall) -> Iterator[Record]:
    """Every record of a full read from the beginning (batch reads).

    The first call's records are always kept: a snapshot table answers with its rows and an
    offset equal to the start.
    """
    offset: Offset | None = None
    first = True
    while True:
        records, nxt = read(offset)
        if same_offset(nxt, offset):
            yield from _settling(records, offset, allow_records=first)
            return
        yield from records
        offset, first = checked_offset(nxt), False


def read_batch(
    read: ReadCall, start: Offset | None, max_reads: int
) -> tuple[list[Record], Offset, bool]:
    """Records after ``start``, the offset they end at, and whether the read settled.

    At most ``max_reads`` calls are made; when they run out the batch ends at the last offset
    reached (``settled`` is False) and the next batch carries on from there.
    """
    offset = as_start(start)
    collected: list[Record] = []
    for _ in range(max_reads):
        records, nxt = read(offset)
        if same_offset(nxt, offset):
            collected.extend(_settling(records, offset, allow_records=False))
            return collected, offset or {}, True
        collected.extend(records)
        offset = checked_offset(nxt)
    return collected, offset or {}, False


def read_between(
    read: ReadCall,
    start: Offset | None,
    end: Offset,
    cursor_field: str | None,
) -> list[Record]:
    """The records of a micro-batch recorded as ``start`` to ``end``, read again after a restart.

    The loop stops once the connector reaches ``end``. If the source moved on meanwhile and
    the connector jumps past ``end``, records whose cursor is after the end's cursor are
    dropped, so the replay delivers what the batch held and the next batch the rest. That
    needs offsets of the SDK's ``{"cursor": value}`` shape and a ``cursor_field``; other
    offsets replay everything up to the source's present (at-least-once, which a MERGE on
    the primary keys absorbs).
    """
    offset = as_start(start)
    collected: list[Record] = []
    while not same_offset(offset, end):
        records, nxt = read(offset)
        if same_offset(nxt, offset):
            collected.extend(_settling(records, offset, allow_records=False))
            return _trim(collected, end, cursor_field)
        collected.extend(records)
        offset = checked_offset(nxt)
    return collected


def checked_offset(offset: Any) -> Offset:
    """``offset`` if it is a JSON-ready dict (Spark keeps offsets as JSON), else an error."""
    if not isinstance(offset, dict):
        raise InputError(
            f"read_table returned an offset of type `{type(offset).__name__}`, not a dict",
            hint="return the offset as a dict of JSON values, e.g. {'cursor': '2024-01-01'}",
            code="bad-offset",
        )
    try:
        json.dumps(offset)
    except (TypeError, ValueError):
        raise InputError(
            f"read_table returned an offset that is not JSON: {sorted(offset)}",
            hint="keep offsets to str, int, float, bool, None, lists and dicts "
            "(e.g. write timestamps as ISO strings)",
            code="bad-offset",
        ) from None
    return offset


def _settling(records: Iterable[Record], offset: Offset | None, *, allow_records: bool) -> list:
    """The records of the call that returned its start offset; only a first call may have any."""
    rows = list(records)
    if rows and not allow_records:
        raise SourceError(
            f"read_table returned {len(rows)} record(s) but did not move the offset "
            f"{json.dumps(offset or {}, sort_keys=True, default=str)[:200]}",
            hint="a read from the final offset must return no records, or the same rows would "
            "be read forever; run the generic suite (cause `reread-not-empty`) and fix read_table",
            code="offset-did-not-advance",
        )
    return rows


def _trim(records: list[Record], end: Offset, cursor_field: str | None) -> list[Record]:
    limit = cursor_from_offset(end)
    if limit is None or not cursor_field:
        return records
    kept = []
    for record in records:
        value = get_path(record, cursor_field)
        if value is None or compare_cursors(value, limit) <= 0:
            kept.append(record)
    return kept
