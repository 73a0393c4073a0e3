"""What an automatic review check returns, and the registry the check modules fill.

A check is a function of the :class:`~skillpack.review._context.ReviewContext`
registered under its rubric id::

    @check("impl.no-print")
    def _no_print(ctx: ReviewContext) -> Outcome:
        return verdict(Hit("`print` call", path, call.lineno) for call in ...)

It returns :func:`passed`, :func:`failed` (with the :class:`Hit` s to cite), :func:`na`
(does not apply, with why) or raises :class:`Unavailable` when what it needs could not be
read; the runner turns that into "could not check" with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from skillpack.review._outcome import (  # the check modules take these from here too
    Hit,
    Outcome,
    Unavailable,
    failed,
    passed,
)

if TYPE_CHECKING:
    from skillpack.review._context import ReviewContext


def unchecked(reason: str) -> Outcome:
    return Outcome("unchecked", reason)


def verdict(hits: Iterable[Hit], note: str = "") -> Outcome:
    """Failed with ``hits`` if there are any, else passed."""
    found = tuple(hits)
    return failed(*found) if found else passed(note)


CheckFn = Callable[["ReviewContext"], Outcome]
CHECKS: dict[str, CheckFn] = {}


def check(check_id: str) -> Callable[[CheckFn], CheckFn]:
    """Register the decorated function as the implementation of rubric check ``check_id``."""

    def register(fn: CheckFn) -> CheckFn:
        if check_id in CHECKS:
            raise ValueError(f"review check `{check_id}` is implemented twice")
        CHECKS[check_id] = fn
        return fn

    return register


def run_check(fn: CheckFn, ctx: ReviewContext) -> Outcome:
    """Run one check; what it cannot read is "could not check", a crash is the review's failure.

    ``Unavailable`` is the check saying a file it needs is missing or unreadable. Any other
    exception is a bug in the check (or a connector it does not understand): it becomes
    ``error``, which scores as a failure and fails the review's gate, so a crashing BLOCKER
    check can never leave the score and the band untouched.
    """
    try:
        return fn(ctx)
    except Unavailable as exc:
        return unchecked(str(exc))
    except Exception as exc:
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        return Outcome("error", f"the check raised {type(exc).__name__}: {detail}".rstrip(": "))
