"""A read window: the upper bound that lets an incremental read end while the source changes.

A run reads a table by calling ``read_table`` until the offset stops moving. If the source
keeps producing records faster than the run reads them, the offset never stops and the run
never ends. Upstream connectors fix this with ``_init_time``: records changed after the
connector was created are left for the next run. :class:`ReadWindow` does the same in the
cursor's own terms, which also works for sources whose cursor is not a wall-clock time
(sequence numbers, a server's logical clock): the window of a table ends at the newest cursor
the connector's first read of that table saw::

    self._window = ReadWindow()                       # in __init__: one window per run
    ...
    records = self._window.cap(table_name, records, "updated_at", start_cursor)

A new connector instance (the next run, or the next streaming micro-batch) opens a new window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from skillpack.sdk.offsets import compare_cursors, get_path

#: the window of a table whose first read found nothing: later records wait for the next run
_NOTHING = object()


class ReadWindow:
    """Per-table upper bounds on the cursor, fixed at the first read of each table."""

    def __init__(self) -> None:
        self._ends: dict[str, Any] = {}

    def end(self, table: str) -> Any:
        """The cursor value the table's window ends at (``None`` before its first read)."""
        value = self._ends.get(table)
        return None if value is _NOTHING else value

    def cap(
        self,
        table: str,
        records: Sequence[Mapping[str, Any]],
        cursor_field: str,
        start_cursor: Any = None,
    ) -> list[Any]:
        """``records`` whose cursor is inside the table's window; the first call opens it.

        The first call keeps every record and fixes the window's end at their largest cursor
        (or at ``start_cursor`` when there are none). Later calls drop records past that end.
        """
        values = [get_path(r, cursor_field) for r in records]
        if table not in self._ends:
            best = start_cursor
            for value in values:
                if value is not None and (best is None or compare_cursors(value, best) > 0):
                    best = value
            self._ends[table] = _NOTHING if best is None else best
            return list(records)
        end = self._ends[table]
        if end is _NOTHING:
            return []
        return [
            r
            for r, v in zip(records, values, strict=True)
            if v is not None and compare_cursors(v, end) <= 0
        ]
