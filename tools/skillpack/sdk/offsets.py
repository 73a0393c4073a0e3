"""Cursor-field offsets for incremental reads.

A ``read_table`` call gets ``start_offset`` and returns the offset to resume
from. The caller keeps calling until the returned offset *equals* the one it
passed in: that is the termination rule of the connector contract (and of the
test suite, which treats ``None`` and ``{}`` alike). So when a read finds
nothing new, the offset must come back exactly as it went in; an offset that
moves without new records, or goes backwards, makes the caller read forever.
The helpers here guarantee both: they only ever move the cursor forward, to
the largest value seen, and return the start offset unchanged otherwise.

Cursor values compare by meaning, not spelling: ints and floats (and numeric
strings) numerically, ISO-8601 timestamps as instants (``...Z`` equals
``...+00:00``; a timestamp without a zone counts as UTC), anything else as text.

Typical use, for an API whose filter is inclusive (``updated_since >= x``)::

    since = cursor_from_offset(start_offset)
    tracker = CursorTracker(
        client.iter_records("/items", paginator=..., params={"updated_since": since}),
        "updated_at",
        after=since,  # drop the boundary records already delivered last time
    )
    records = list(tracker)  # the offset depends on every record
    return iter(records), tracker.offset(start_offset)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

from skillpack.errors import InputError

_MISSING = object()

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?"
)
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")

# Tiers keep incomparable kinds apart: numbers < instants < other text.
_NUM, _TIME, _TEXT = 0, 1, 2


def get_path(obj: Any, path: str, default: Any = None) -> Any:
    """The value at dotted ``path`` inside nested dicts/lists, or ``default``.

    ``get_path({"a": {"b": [{"c": 1}]}}, "a.b.0.c") == 1``. A key that itself
    contains dots is found too when present at the top level.
    """
    if isinstance(obj, Mapping):
        value = obj.get(path, _MISSING)
        if value is not _MISSING:
            return value
        if "." not in path:
            return default
    for part in path.split("."):
        if isinstance(obj, Mapping):
            obj = obj.get(part, _MISSING)
        elif isinstance(obj, (list, tuple)) and part.lstrip("-").isdigit():
            index = int(part)
            obj = obj[index] if -len(obj) <= index < len(obj) else _MISSING
        else:
            return default
        if obj is _MISSING:
            return default
    return obj


def parse_timestamp(value: str) -> datetime | None:
    """An aware UTC ``datetime`` for an ISO-8601 date/timestamp string, else ``None``."""
    m = _ISO.fullmatch(value.strip())
    if m is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = m.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=timezone.utc,
        )
    except ValueError:
        return None
    if zone and zone not in "Zz":
        digits = zone[1:].replace(":", "")
        shift = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        moment = moment - shift if zone[0] == "+" else moment + shift
    return moment


def _cursor_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool):
        return (_NUM, int(value))
    if isinstance(value, (int, float)):
        return (_NUM, value)
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return (_TIME, aware.astimezone(timezone.utc))
    if isinstance(value, date):
        return (_TIME, datetime(value.year, value.month, value.day, tzinfo=timezone.utc))
    if isinstance(value, str):
        if _NUMBER.fullmatch(value):
            number = float(value)
            return (_NUM, int(value) if number.is_integer() and value.isdigit() else number)
        moment = parse_timestamp(value)
        if moment is not None:
            return (_TIME, moment)
        return (_TEXT, value)
    try:
        return (_NUM, float(value))  # Decimal and other numbers
    except (TypeError, ValueError):
        return (_TEXT, str(value))


def compare_cursors(a: Any, b: Any) -> int:
    """-1, 0 or 1 as cursor value ``a`` is before, equal to or after ``b`` (see module doc)."""
    ka, kb = _cursor_key(a), _cursor_key(b)
    return (ka > kb) - (ka < kb)


def _zone(text: str) -> str:
    """The zone suffix of an ISO timestamp (``Z``, ``+01:00``, ``-0500``) or ``""``."""
    if text[-1:] in ("Z", "z"):
        return "Z"
    # the date part holds '-' only before index 10; later signs start the zone
    cut = max(text.rfind("+"), text.rfind("-"))
    return text[cut:] if cut > 10 else ""


_NUMBER_SHAPE = ("number",)


def _shape_of(value: Any) -> tuple | None:
    """A layout signature: values of one shape compare correctly with plain ``<``/``>``.

    Numbers share one shape. ISO timestamp strings share one when they have
    the same length, date/time separator and zone suffix, because then text
    order is time order. Anything else has no shape and goes through
    :func:`_cursor_key`, which parses it.
    """
    kind = type(value)
    if kind is int or kind is float:
        return _NUMBER_SHAPE
    if (
        kind is str
        and len(value) >= 10
        and value[4:5] == "-"
        and value[7:8] == "-"
        and value[:4].isdigit()
    ):
        return (len(value), value[10:11], _zone(value))
    return None


def _uniform(values: list[Any]) -> bool:
    """True when ``values`` all share one shape (see :func:`_shape_of`), so ``max()`` is right.

    Strings are checked column by column on one joined string (``joined[i::width]``
    is the i-th character of every value), so a batch costs a few C-level passes
    instead of a Python call per value.
    """
    kinds = set(map(type, values))
    if kinds <= {int, float}:
        return True
    if kinds != {str}:
        return False
    widths = set(map(len, values))
    if len(widths) != 1:
        return False
    width = widths.pop()
    if width < 10:
        return False
    count = len(values)
    joined = "".join(values)

    def column_is(pos: int, char: str) -> bool:
        return joined[pos::width].count(char) == count

    if not (joined[0::width].isdigit() and column_is(4, "-") and column_is(7, "-")):
        return False
    if width == 10:  # dates: text order is date order
        return True
    first = values[0]
    if not column_is(10, first[10]):
        return False
    if column_is(width - 1, "Z"):  # all in UTC
        return True
    # or all in one numeric zone such as +05:30
    return (
        first[-6] in "+-"
        and first[-3] == ":"
        and all(column_is(pos, first[pos]) for pos in range(width - 6, width))
    )


class _MaxCursor:
    """Running maximum of cursor values that keeps the winning value as spelled.

    Cursor fields are read once per record, so the common case (numbers, or
    timestamps all written the same way) is compared as-is, without parsing.
    """

    __slots__ = ("_key", "_shape", "value")

    def __init__(self, value: Any = None) -> None:
        self._set(value, None)

    def _set(self, value: Any, key: tuple[int, Any] | None) -> None:
        self.value = value
        self._key = key
        self._shape = None if value is None else _shape_of(value)

    @property
    def key(self) -> tuple[int, Any] | None:
        """The comparison key of the current maximum, computed when first needed."""
        if self._key is None and self.value is not None:
            self._key = _cursor_key(self.value)
        return self._key

    def _same_shape(self, value: Any) -> bool:
        shape = self._shape
        if shape is None:
            return False
        kind = type(value)
        if shape is _NUMBER_SHAPE:
            return kind is int or kind is float
        return (
            kind is str
            and len(value) == shape[0]
            and value[10:11] == shape[1]
            and value[4:5] == "-"
            and value[7:8] == "-"
            and value[:4].isdigit()
            and (value.endswith(shape[2]) if shape[2] else not _zone(value))
        )

    def update(self, value: Any) -> None:
        """Take ``value`` as the new maximum if it is strictly after the current one."""
        current = self.value
        if value is None or value == current:
            return
        if current is None:
            self._set(value, None)
        elif self._same_shape(value):
            if value > current:
                self.value, self._key = value, None  # same shape: _shape still holds
        else:
            key = _cursor_key(value)
            if key > self.key:  # type: ignore[operator]
                self._set(value, key)

    def update_many(self, values: list[Any]) -> None:
        """``update`` with each of ``values``; uniform batches are reduced by ``max()`` in C."""
        if None in values:
            values = [v for v in values if v is not None]
        if not values:
            return
        if _uniform(values):
            self.update(max(values))
        else:
            for value in values:
                self.update(value)

    def is_after(self, value: Any) -> bool:
        """True when ``value`` is strictly after the current maximum (or there is none)."""
        if value is None:
            return False
        if self.value is None:
            return True
        if self._same_shape(value):
            return value > self.value
        return _cursor_key(value) > self.key  # type: ignore[operator]


def cursor_from_offset(
    start_offset: Mapping[str, Any] | None, key: str = "cursor", default: Any = None
) -> Any:
    """The cursor stored under ``key`` in ``start_offset``, or ``default`` on a first read."""
    if not start_offset:
        return default
    value = start_offset.get(key)
    return default if value is None else value


def _with_cursor(start_offset: Mapping[str, Any] | None, key: str, best: _MaxCursor) -> dict:
    offset = dict(start_offset or {})
    if best.value is not None:
        offset[key] = best.value
    return offset


def advance_offset(
    start_offset: Mapping[str, Any] | None,
    records: Iterable[Mapping[str, Any]],
    cursor_field: str,
    key: str = "cursor",
) -> dict:
    """The offset after ``records``: the largest ``cursor_field`` value seen, never smaller.

    With no records (or none newer) the result equals ``start_offset`` (``{}``
    for ``None``), so the caller's read loop ends. ``cursor_field`` may be a
    dotted path. Other keys of ``start_offset`` are kept.
    """
    best = _MaxCursor(cursor_from_offset(start_offset, key))
    best.update_many([get_path(record, cursor_field) for record in records])
    return _with_cursor(start_offset, key, best)


#: cursor values a tracker buffers before folding them into its maximum
_FOLD_EVERY = 4096


class CursorTracker:
    """Wrap a record iterator, tracking the largest cursor value as records stream by.

    Iterate it (once) to get the records; then :meth:`offset` gives the next
    offset. With ``after``, records whose cursor is not strictly after it are
    dropped (so are records without a cursor value): this turns an API's
    inclusive ``>=`` filter into the exclusive read the contract needs, so a
    re-read from the final offset is empty.
    """

    def __init__(
        self,
        records: Iterable[Mapping[str, Any]],
        cursor_field: str,
        *,
        key: str = "cursor",
        after: Any = None,
    ) -> None:
        self._records = records
        self.cursor_field = cursor_field
        self.key = key
        self._after = _MaxCursor(after) if after is not None else None
        self._best = _MaxCursor()
        # cursor values not yet folded into _best: batches fold much faster than singles
        self._pending: list[Any] = []
        self._folded = 0
        self._started = False
        self._consumed = False

    @property
    def consumed(self) -> bool:
        """True once the wrapped iterator ran dry."""
        return self._consumed

    @property
    def count(self) -> int:
        """Records yielded so far."""
        return self._folded + len(self._pending)

    @property
    def max_cursor(self) -> Any:
        """The largest cursor value yielded so far, as spelled in the record (or ``None``)."""
        self._fold()
        return self._best.value

    def _fold(self) -> None:
        pending = self._pending
        if pending:
            self._best.update_many(pending)
            self._folded += len(pending)
            pending.clear()  # in place: the running loop holds this list

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        if self._started:
            raise InputError(
                "a CursorTracker can be iterated only once",
                hint="wrap a fresh iterator in a new CursorTracker for each read",
                code="tracker-reused",
            )
        self._started = True
        return self._run()

    def _run(self) -> Iterator[Mapping[str, Any]]:
        field = self.cursor_field
        simple = "." not in field
        after = self._after
        append = self._pending.append
        left = _FOLD_EVERY
        for record in self._records:
            value = record.get(field) if simple else get_path(record, field)
            if after is not None and not after.is_after(value):
                continue
            append(value)
            left -= 1
            if not left:
                self._fold()
                left = _FOLD_EVERY
            yield record
        self._fold()
        self._consumed = True

    def offset(self, start_offset: Mapping[str, Any] | None) -> dict:
        """The offset to return from ``read_table``; equals ``start_offset`` if nothing is newer.

        Raises ``InputError`` if the records were not all consumed yet, because
        the offset depends on every one of them.
        """
        if not self._consumed:
            raise InputError(
                "CursorTracker.offset() called before the records were consumed",
                hint="consume the records first, e.g. `records = list(tracker)`, then call "
                "`tracker.offset(start_offset)` and return `iter(records)` with it",
                code="tracker-not-consumed",
            )
        self._fold()
        best = _MaxCursor(cursor_from_offset(start_offset, self.key))
        best.update(self._best.value)
        return _with_cursor(start_offset, self.key, best)
