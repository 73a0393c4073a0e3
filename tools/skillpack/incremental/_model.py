"""What the incremental-sync checks report, and what they need: codes, results, a driver."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

INCREMENTAL_TYPES = ("cdc", "cdc_with_deletes", "append")

#: failure code -> (what went wrong, which connector method to fix)
CODES: dict[str, tuple[str, str]] = {
    "offset-not-json": ("an offset does not survive a JSON round trip", "read_table"),
    "offset-backwards": ("an offset moved backwards or back to the start", "read_table"),
    "offset-not-advanced": ("a read returned new records but kept its offset", "read_table"),
    "offset-never-settles": ("the offset kept moving with no new records", "read_table"),
    "reread-not-empty": ("a read from the final offset returned new records", "read_table"),
    "midpoint-before-cursor": ("a read from a mid-point returned older records", "read_table"),
    "midpoint-lost": ("a read from a mid-point lost records at or after it", "read_table"),
    "change-missed": ("a record written after a read did not come on the next", "read_table"),
    "window-cap-ignored": ("a read never ended while the source kept changing", "read_table"),
    "delete-missed": ("a deleted record did not show in read_table_deletes", "read_table_deletes"),
    "read-error": ("the connector raised during a read", "read_table"),
}


class SyncFailure(AssertionError):
    """A failed check; ``str()`` starts with ``[code]``."""

    final = True  # no wait in ``eventually`` can fix it

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code


class SkipCheck(Exception):
    """The check cannot run here; the message says why."""


class Driver(Protocol):
    """Changes the source between reads (write-back utilities, or a simulator)."""

    def can_write(self, table: str) -> str | None:
        """``None`` when rows can be written to ``table``, else why not."""

    def write(self, table: str, n: int) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """Write ``n`` rows; return them and their column mapping."""

    def can_delete(self, table: str) -> str | None:
        """``None`` when rows of ``table`` can be deleted, else why not."""

    def delete(self, table: str, n: int) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """Delete ``n`` rows; return their keys and the column mapping."""


@dataclass
class Check:
    """One check's outcome."""

    name: str
    status: str = "passed"
    message: str = ""
    code: str | None = None
    #: connector method to look at when it failed
    method: str | None = None
    #: (file, line) of each traceback frame, innermost last, when the connector raised
    frames: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class TableSync:
    """Every check of one table."""

    table: str
    ingestion_type: str
    offset_shape: str = "unknown"
    records: int = 0
    checks: list[Check] = field(default_factory=list)
    #: keys read more than once around a read boundary (reported, not failures)
    boundary_duplicates: list[str] = field(default_factory=list)


@dataclass
class Step:
    start: Any
    records: list[dict[str, Any]]
    offset: Any


@dataclass
class Settings:
    """Bounds that keep a broken connector from hanging the run."""

    max_reads: int = 50
    max_records: int = 100_000
    read_timeout_s: float = 60.0
    #: reads tried while the source keeps changing before calling the read endless
    window_reads: int = 6
    visibility_timeout_s: float = 30.0
