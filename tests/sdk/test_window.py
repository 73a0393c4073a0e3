"""ReadWindow: the first read of a table fixes its end; later reads stop there."""

from __future__ import annotations

from skillpack.sdk.window import ReadWindow


def test_first_read_keeps_everything_and_fixes_the_end() -> None:
    window = ReadWindow()
    first = [{"seq": 1}, {"seq": 3}, {"seq": 2}]
    assert window.cap("events", first, "seq") == first
    assert window.end("events") == 3


def test_later_reads_drop_records_past_the_end() -> None:
    window = ReadWindow()
    window.cap("events", [{"seq": 1}, {"seq": 2}], "seq")
    assert window.cap("events", [{"seq": 2}, {"seq": 3}, {"seq": None}], "seq") == [{"seq": 2}]


def test_timestamps_compare_as_instants_and_tables_have_their_own_window() -> None:
    window = ReadWindow()
    window.cap("a", [{"t": "2024-01-01T10:00:00Z"}], "t")
    window.cap("b", [{"t": "2024-01-02T10:00:00Z"}], "t")
    later = [{"t": "2024-01-01T10:00:00+00:00"}, {"t": "2024-01-01T10:00:01Z"}]
    assert window.cap("a", later, "t") == [later[0]]
    assert window.cap("b", later, "t") == later


def test_an_empty_first_read_closes_the_window_at_the_start_cursor() -> None:
    window = ReadWindow()
    assert window.cap("events", [], "seq", start_cursor=5) == []
    assert window.cap("events", [{"seq": 5}, {"seq": 6}], "seq") == [{"seq": 5}]
    empty = ReadWindow()
    empty.cap("events", [], "seq")
    assert empty.end("events") is None
    assert empty.cap("events", [{"seq": 1}], "seq") == []
