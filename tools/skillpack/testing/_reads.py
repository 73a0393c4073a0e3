"""Bounded reads: a connector that loops or hangs fails a test instead of hanging it."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from skillpack.testing.causes import tagged


class SuiteFailure(AssertionError):
    """A suite assertion; ``str()`` starts with the cause code in brackets."""

    #: waiting longer cannot fix it, so ``eventually`` raises it at once
    final = True

    def __init__(self, code: str, message: str) -> None:
        super().__init__(tagged(code, message))
        self.code = code


@dataclass
class ReadResult:
    """What one ``read_table``/``read_table_deletes`` call gave, up to the sample cap."""

    records: list[dict[str, Any]]
    offset: Any
    #: True when the iterator ran dry; False when the cap stopped consumption
    exhausted: bool


def _consume(result: Any, cap: int, label: str) -> ReadResult:
    if not isinstance(result, tuple) or len(result) != 2:
        raise SuiteFailure(
            "read-shape", f"{label} returned {type(result).__name__}, expected (iterator, offset)"
        )
    records, offset = result
    if isinstance(records, (dict, str, bytes)) or not isinstance(records, Iterable):
        raise SuiteFailure(
            "read-shape",
            f"{label} returned {type(records).__name__} as records, expected an iterator of dicts",
        )
    if offset is not None and not isinstance(offset, dict):
        raise SuiteFailure(
            "read-shape", f"{label} returned offset {type(offset).__name__}, expected a dict"
        )
    taken = list(itertools.islice(iter(records), cap + 1))
    exhausted = len(taken) <= cap
    for i, rec in enumerate(taken[:cap]):
        if not isinstance(rec, dict):
            raise SuiteFailure(
                "read-shape", f"{label} record #{i} is {type(rec).__name__}, expected a dict"
            )
    return ReadResult(records=taken[:cap], offset=offset, exhausted=exhausted)


def bounded_read(call: Callable[[], Any], *, cap: int, timeout: float, label: str) -> ReadResult:
    """Run ``call`` and consume up to ``cap`` records, failing after ``timeout`` seconds.

    The work runs in a daemon thread: Python cannot stop a thread, but the test
    can stop waiting for it, report ``read-timeout`` and move on.
    """
    box: dict[str, Any] = {}
    done = threading.Event()

    def work() -> None:
        try:
            box["result"] = _consume(call(), cap, label)
        except BaseException as exc:  # handed to the test thread below
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, name=f"read:{label}", daemon=True).start()
    if not done.wait(timeout):
        raise SuiteFailure(
            "read-timeout", f"{label} did not finish within {timeout:g}s (read_timeout_s)"
        )
    if "error" in box:
        raise box["error"]
    return box["result"]


def offsets_equal(a: Any, b: Any) -> bool:
    """Offsets compare by value; ``None`` and ``{}`` both mean "from the start"."""
    return (a or {}) == (b or {})


def read_until_stable(
    read: Callable[[Any], ReadResult],
    start: Any,
    *,
    max_iterations: int,
    label: str,
) -> tuple[list[dict[str, Any]], Any, int]:
    """Call ``read`` from ``start`` until the offset stops changing; return all records seen.

    This is the termination rule of the contract. An offset that keeps changing
    past ``max_iterations`` calls is reported as ``cursor-stalled``.
    """
    records: list[dict[str, Any]] = []
    offset = start
    seen: list[Any] = []
    for iteration in range(1, max_iterations + 1):
        result = read(offset)
        records.extend(result.records)
        if offsets_equal(result.offset, offset):
            return records, offset, iteration
        if any(offsets_equal(result.offset, s) for s in seen):
            raise SuiteFailure(
                "cursor-stalled",
                f"{label}: offset went back to an earlier value {result.offset!r}; the read "
                "cycles instead of finishing",
            )
        seen.append(offset)
        offset = result.offset
    raise SuiteFailure(
        "cursor-stalled",
        f"{label}: offset still changing after {max_iterations} reads (last {offset!r}); "
        "return the start offset unchanged when there is nothing new",
    )
