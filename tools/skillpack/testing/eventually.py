"""Poll until the source shows a change, instead of sleeping a fixed time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class EventuallyTimeout(AssertionError):
    """``eventually`` ran out of time; carries the last failure seen."""


def eventually(
    check: Callable[[], T],
    timeout: float = 30.0,
    interval: float = 0.2,
    *,
    backoff: float = 1.5,
    max_interval: float = 5.0,
    message: str = "condition not met",
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``check`` until it returns a truthy value without raising, and return that value.

    ``check`` may raise ``AssertionError`` (or return a falsy value) to mean "not yet";
    an assertion marked ``final = True`` (a suite failure no wait can fix) is raised at once.
    Sources commit writes with a delay (seconds for some SaaS APIs); polling returns
    as soon as the data shows, where a fixed sleep always pays the worst case::

        row = eventually(lambda: find_row(read_all()), timeout=60, message="row not read back")
    """
    deadline = clock() + timeout
    wait = interval
    last: str = ""
    while True:
        try:
            result = check()
        except AssertionError as exc:
            if getattr(exc, "final", False):
                raise
            last = str(exc)
        else:
            if result:
                return result
            last = f"check returned {result!r}"
        if clock() >= deadline:
            detail = f"; last: {last}" if last else ""
            raise EventuallyTimeout(f"{message} within {timeout:g}s{detail}")
        sleep(min(wait, max(0.0, deadline - clock())))
        wait = min(wait * backoff, max_interval)
