from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from skillpack.errors import InputError
from skillpack.sdk.offsets import (
    CursorTracker,
    advance_offset,
    compare_cursors,
    cursor_from_offset,
    get_path,
    parse_timestamp,
)


def test_get_path_walks_dicts_and_lists():
    record = {"a": {"b": [{"c": 1}, {"c": 2}]}, "x.y": 5, "n": None}
    assert get_path(record, "a.b.1.c") == 2
    assert get_path(record, "a.b.-1.c") == 2
    assert get_path(record, "x.y") == 5
    assert get_path(record, "n", "dflt") is None
    assert get_path(record, "a.missing", "dflt") == "dflt"
    assert get_path(record, "a.b.9.c", "dflt") == "dflt"
    assert get_path(record, "a.b.c.d") is None
    assert get_path([{"id": 3}], "0.id") == 3


def test_cursor_from_offset_defaults_on_first_read():
    assert cursor_from_offset(None) is None
    assert cursor_from_offset({}, default="1970-01-01") == "1970-01-01"
    assert cursor_from_offset({"cursor": None}, default=0) == 0
    assert cursor_from_offset({"since": 5}, key="since") == 5


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([3, 10, 7], 10),
        ([1.5, 2.25, 2.0], 2.25),
        ([3, 2.5, 3.5], 3.5),
        (["9", "10", "2"], "10"),  # numeric strings compare as numbers
        (["apple", "pear", "fig"], "pear"),
        # 10:00+05:00 is 05:00Z, earlier than 06:00Z although it sorts later as text
        (["2024-01-01T10:00:00+05:00", "2024-01-01T06:00:00Z"], "2024-01-01T06:00:00Z"),
        # same length and layout, different zones: the fast text path must not apply
        (["2024-01-01T10:00:00+05:00", "2024-01-01T06:00:00+00:00"], "2024-01-01T06:00:00+00:00"),
        (["2024-01-01T00:00:00.5Z", "2024-01-01T00:00:00.25Z"], "2024-01-01T00:00:00.5Z"),
        (["2024-03-01", "2024-02-29T23:59:59Z"], "2024-03-01"),
        (
            [datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2023, 12, 31, 23)],
            datetime(2024, 1, 1, tzinfo=timezone.utc),
        ),
        ([date(2024, 1, 2), date(2024, 1, 1)], date(2024, 1, 2)),
        ([Decimal("1.5"), Decimal("1.25")], Decimal("1.5")),
    ],
)
def test_advance_offset_takes_the_largest_cursor_by_meaning(values, expected):
    records = [{"u": v} for v in values]
    assert advance_offset(None, records, "u") == {"cursor": expected}
    tracker = CursorTracker(records, "u")
    assert list(tracker) == records
    assert tracker.offset(None) == {"cursor": expected}


def test_advance_offset_without_records_returns_the_start_offset_unchanged():
    start = {"cursor": "2024-05-01T00:00:00Z", "page_token": "abc"}
    assert advance_offset(start, [], "updated_at") == start
    assert advance_offset(None, [], "updated_at") == {}
    assert advance_offset({}, [{"updated_at": None}, {"other": 1}], "updated_at") == {}


def test_advance_offset_never_goes_backwards():
    start = {"cursor": 100}
    assert advance_offset(start, [{"v": 5}, {"v": 99}], "v") == {"cursor": 100}
    assert advance_offset(start, [{"v": 5}, {"v": 101}], "v") == {"cursor": 101}


def test_same_instant_in_another_spelling_keeps_the_offset_stable():
    start = {"cursor": "2024-01-01T00:00:00Z"}
    records = [{"t": "2024-01-01T01:00:00+01:00"}, {"t": "2023-12-31T19:00:00-05:00"}]
    # an unchanged offset is what ends the caller's read loop
    assert advance_offset(start, records, "t") == start


def test_advance_offset_keeps_other_keys_and_reads_dotted_fields():
    start = {"cursor": 1, "table_version": 3}
    records = [{"meta": {"seq": 4}}, {"meta": {"seq": 2}}]
    assert advance_offset(start, records, "meta.seq") == {"cursor": 4, "table_version": 3}
    assert advance_offset(None, records, "meta.seq", key="seq") == {"seq": 4}


def test_cursor_tracker_streams_and_counts():
    produced = []

    def source():
        for i in range(5):
            produced.append(i)
            yield {"id": i, "ts": 1000 + i}

    tracker = CursorTracker(source(), "ts")
    it = iter(tracker)
    assert next(it) == {"id": 0, "ts": 1000}
    assert produced == [0]  # lazily, one record at a time
    assert tracker.max_cursor == 1000 and not tracker.consumed
    rest = list(it)
    assert len(rest) == 4 and tracker.count == 5 and tracker.consumed
    assert tracker.offset({"cursor": 999}) == {"cursor": 1004}
    assert tracker.offset({"cursor": 2000}) == {"cursor": 2000}


def test_cursor_tracker_offset_before_consumption_is_an_error():
    tracker = CursorTracker(iter([{"ts": 1}, {"ts": 2}]), "ts")
    it = iter(tracker)
    next(it)
    with pytest.raises(InputError) as info:
        tracker.offset(None)
    assert info.value.code == "tracker-not-consumed"
    assert "list(tracker)" in info.value.hint


def test_cursor_tracker_iterates_once():
    tracker = CursorTracker([{"ts": 1}], "ts")
    list(tracker)
    with pytest.raises(InputError):
        iter(tracker)


def test_cursor_tracker_after_drops_already_delivered_records():
    start = {"cursor": "2024-01-02T00:00:00Z"}
    records = [
        {"id": 1, "ts": "2024-01-02T00:00:00Z"},  # the boundary, delivered last time
        {"id": 2, "ts": "2024-01-02T00:00:00+00:00"},  # the same instant, spelled differently
        {"id": 3, "ts": "2024-01-02T00:00:01Z"},
        {"id": 4, "ts": None},
    ]
    tracker = CursorTracker(records, "ts", after=cursor_from_offset(start))
    assert [r["id"] for r in tracker] == [3]
    assert tracker.offset(start) == {"cursor": "2024-01-02T00:00:01Z"}
    # re-reading from the final offset yields nothing and keeps the offset: the read ends
    again = CursorTracker(records, "ts", after="2024-01-02T00:00:01Z")
    assert list(again) == []
    assert again.offset({"cursor": "2024-01-02T00:00:01Z"}) == {"cursor": "2024-01-02T00:00:01Z"}


def test_many_increasing_timestamps_track_the_last_one():
    base = datetime(2024, 1, 1, tzinfo=timezone.utc)
    stamps = [(base + timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%SZ") for s in range(500)]
    mixed = stamps[250:] + stamps[:250]
    assert advance_offset(None, [{"t": t} for t in mixed], "t") == {"cursor": stamps[-1]}


def test_compare_cursors():
    assert compare_cursors(1, 2) == -1
    assert compare_cursors("2024-01-01T00:00:00Z", "2024-01-01T00:00:00+00:00") == 0
    assert compare_cursors("2024-01-02", "2024-01-01T23:00:00Z") == 1
    assert compare_cursors("10", "9") == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-02", datetime(2024, 1, 2, tzinfo=timezone.utc)),
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)),
        ("2024-01-02 03:04", datetime(2024, 1, 2, 3, 4, tzinfo=timezone.utc)),
        ("2024-01-02T03:04:05.123+0530", datetime(2024, 1, 1, 21, 34, 5, 123000, timezone.utc)),
        ("2024-01-02T03:04:05.1234567-01:00", datetime(2024, 1, 2, 4, 4, 5, 123456, timezone.utc)),
        ("2024-13-02", None),
        ("yesterday", None),
    ],
)
def test_parse_timestamp(text, expected):
    assert parse_timestamp(text) == expected
