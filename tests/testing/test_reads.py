import threading

import pytest

from skillpack.testing._reads import ReadResult, SuiteFailure, bounded_read, read_until_stable


def test_bounded_read_caps_records_and_reports_exhaustion():
    result = bounded_read(
        lambda: (iter([{"i": i} for i in range(5)]), {}), cap=3, timeout=5, label="r"
    )
    assert [r["i"] for r in result.records] == [0, 1, 2]
    assert result.exhausted is False


def test_bounded_read_rejects_a_list_of_non_dicts():
    with pytest.raises(SuiteFailure, match=r"^\[read-shape\].*record #0 is int"):
        bounded_read(lambda: (iter([1]), {}), cap=3, timeout=5, label="r")


def test_bounded_read_rejects_a_bare_iterator():
    with pytest.raises(SuiteFailure, match=r"^\[read-shape\].*expected \(iterator, offset\)"):
        bounded_read(lambda: iter([{}]), cap=3, timeout=5, label="r")


def test_bounded_read_times_out_on_a_hang():
    release = threading.Event()

    def hang():
        release.wait(30)
        return iter([]), {}

    try:
        with pytest.raises(SuiteFailure, match=r"^\[read-timeout\]"):
            bounded_read(hang, cap=1, timeout=0.2, label="r")
    finally:
        release.set()


def test_read_until_stable_stops_when_offset_repeats():
    offsets = iter([{"c": 1}, {"c": 2}, {"c": 2}])
    records, final, calls = read_until_stable(
        lambda off: ReadResult([{"x": 1}], next(offsets), True), None, max_iterations=10, label="r"
    )
    assert final == {"c": 2} and calls == 3 and len(records) == 3


def test_read_until_stable_reports_endless_offsets():
    counter = iter(range(100))
    with pytest.raises(SuiteFailure, match=r"^\[cursor-stalled\].*after 4 reads"):
        read_until_stable(
            lambda off: ReadResult([], {"c": next(counter)}, True),
            None,
            max_iterations=4,
            label="r",
        )


def test_read_until_stable_reports_cycles():
    cycle = iter([{"c": 1}, {"c": 2}, {"c": 1}])
    with pytest.raises(SuiteFailure, match=r"cycles"):
        read_until_stable(
            lambda off: ReadResult([], next(cycle), True), None, max_iterations=9, label="r"
        )
