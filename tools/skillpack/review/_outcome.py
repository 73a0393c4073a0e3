"""What a review check returns: passed, failed with the places to cite, not applicable,
or :class:`Unavailable` when what it needs could not be read.

The vocabulary sits below everything else in the review, so the file readers, the context
and the checks can all use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

OutcomeStatus = Literal["pass", "fail", "na", "unchecked", "error"]


class Unavailable(Exception):
    """Something a check needs could not be read; the message says what and why."""


@dataclass(frozen=True)
class Hit:
    """One place a check failed: what is wrong there, and optionally a specific fix."""

    message: str
    path: Path | None = None
    line: int | None = None
    fix: str | None = None


@dataclass(frozen=True)
class Outcome:
    """A check's result: its status, why (for N/A and unchecked), and the hits of a failure."""

    status: OutcomeStatus
    reason: str = ""
    hits: tuple[Hit, ...] = field(default_factory=tuple)


def passed(note: str = "") -> Outcome:
    return Outcome("pass", note)


def failed(*hits: Hit) -> Outcome:
    return Outcome("fail", "", tuple(hits))


def na(reason: str) -> Outcome:
    return Outcome("na", reason)
