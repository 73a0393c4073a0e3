"""The incremental-sync checks of one table, run against a live connector and a changeable source.

Everything here is plain Python over the connector contract; ``_child`` wires it to a source's
test class (its config, local service and write-back utilities). Each check ends ``passed``,
``failed`` (the message starts with a code from :data:`CODES`) or ``skipped`` with the reason.

Offsets come in two shapes, told apart by the final offset of a full read:

- ``after``: a value in the offset equals the largest cursor read (the SDK's
  ``advance_offset``); a read from it returns records strictly after it;
- ``from``: a numeric value equals the largest cursor plus one ("next id"); a read from it
  returns records at or after it.

Anything else is ``opaque`` (a page token, a delta link): the mid-point check cannot build an
offset and is skipped.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from skillpack.incremental._model import (
    CODES,
    Check,
    Driver,
    Settings,
    SkipCheck,
    Step,
    SyncFailure,
    TableSync,
)
from skillpack.incremental._offsets import (
    forward_or_fail,
    json_or_fail,
    leaves,
    set_leaf,
    show,
    sort_key,
)
from skillpack.sdk.offsets import compare_cursors, get_path
from skillpack.testing._reads import bounded_read, offsets_equal
from skillpack.testing.eventually import EventuallyTimeout, eventually
from skillpack.testing.write_back import find_rows


class TableChecker:
    """Runs the checks of one table; ``make_connector()`` builds a fresh connector (a new run)."""

    def __init__(
        self,
        make_connector: Callable[[], Any],
        first: Any,
        driver: Driver | None,
        table: str,
        options: dict[str, Any],
        settings: Settings,
    ) -> None:
        self.make = make_connector
        self.first = first
        self.driver = driver
        self.table = table
        self.options = options
        self.s = settings
        meta = first.read_table_metadata(table, options)
        self.kind = str(meta.get("ingestion_type", ""))
        self.keys = list(meta.get("primary_keys") or [])
        self.cursor = meta.get("cursor_field")
        self.report = TableSync(table, self.kind)
        self.final: Any = None
        self.records: list[dict[str, Any]] = []

    # ---------------------------------------------------------------- reads

    def _read(self, connector: Any, offset: Any, *, deletes: bool = False) -> Step:
        method = "read_table_deletes" if deletes else "read_table"
        fn = getattr(connector, method)
        got = bounded_read(
            lambda: fn(self.table, copy.deepcopy(offset), self.options),
            cap=self.s.max_records,
            timeout=self.s.read_timeout_s,
            label=f"{method}(`{self.table}`, {offset!r})",
        )
        return Step(offset, got.records, got.offset)

    def _loop(
        self,
        connector: Any,
        start: Any,
        *,
        deletes: bool = False,
        before_each: Callable[[], None] | None = None,
        max_reads: int | None = None,
    ) -> tuple[list[Step], bool]:
        """Read until the offset stops moving; ``(steps, ended)``."""
        steps: list[Step] = []
        offset = start
        for _ in range(max_reads or self.s.max_reads):
            if before_each is not None:
                before_each()
            step = self._read(connector, offset, deletes=deletes)
            steps.append(step)
            if offsets_equal(step.offset, offset):
                return steps, True
            if any(offsets_equal(step.offset, s.start) for s in steps):
                return steps, False  # a cycle: the offsets check names it
            offset = step.offset
        return steps, False

    def key(self, record: dict[str, Any]) -> str:
        return "/".join(str(get_path(record, k)) for k in self.keys) or json.dumps(record)[:60]

    def cursor_of(self, record: dict[str, Any]) -> Any:
        return get_path(record, self.cursor) if self.cursor else None

    # --------------------------------------------------------------- checks

    def run(self) -> TableSync:
        self._check("offsets", self.check_offsets)
        after_offsets = "offsets" if self.report.checks[-1].status != "passed" else None
        for name, fn in (
            ("reread", self.check_reread),
            ("midpoint", self.check_midpoint),
            ("changes", self.check_changes),
            ("window", self.check_window),
        ):
            if after_offsets:
                self.report.checks.append(
                    Check(name, "skipped", "needs a full read that ends: fix the offsets first")
                )
            else:
                self._check(name, fn)
        if self.kind == "cdc_with_deletes":
            self._check("deletes", self.check_deletes)
        return self.report

    def _check(self, name: str, fn: Callable[[], str]) -> None:
        check = Check(name)
        try:
            check.message = fn() or ""
        except SkipCheck as exc:
            check.status, check.message = "skipped", str(exc)
        except SyncFailure as exc:
            check.status, check.code, check.message = "failed", exc.code, str(exc)
            check.method = CODES[exc.code][1]
        except Exception as exc:  # the connector broke: report where
            text = f"{type(exc).__name__}: {exc}"
            if "[simulator-miss]" in text:
                check.status = "skipped"
                check.message = "the recorded cassette has no answer for this read; run live"
            else:
                check.status, check.code = "failed", "read-error"
                check.message = f"[read-error] table `{self.table}`: {text}"[:600]
                check.method = "read_table_deletes" if name == "deletes" else "read_table"
                check.frames = _frames(exc)
        self.report.checks.append(check)

    def check_offsets(self) -> str:
        """Offsets are JSON, only move forward, and move whenever new records came."""
        steps, ended = self._loop(self.first, None)
        seen: set[tuple[str, str]] = set()
        label = f"table `{self.table}`"
        for i, step in enumerate(steps, 1):
            json_or_fail(step.offset, label, i)
            fresh = [r for r in step.records if self._id(r) not in seen]
            if offsets_equal(step.offset, step.start) and fresh:
                raise SyncFailure(
                    "offset-not-advanced",
                    f"{label}: read {i} from {show(step.start)} returned {len(fresh)} new "
                    f"record(s) but returned the same offset, so they would be read again "
                    f"forever; return the offset after the last record (advance_offset)",
                )
            if not offsets_equal(step.offset, step.start):
                forward_or_fail(step.start, step.offset, label, i)
            seen.update(self._id(r) for r in step.records)
            self.records.extend(step.records)
        if not ended:
            raise SyncFailure(
                "offset-never-settles",
                f"{label}: the offset was still moving after {len(steps)} reads "
                f"(last {show(steps[-1].offset)}); return the start offset unchanged when "
                "nothing is new",
            )
        self.final = steps[-1].offset
        self.report.records = len({self.key(r) for r in self.records})
        self.report.offset_shape = self._shape()[0]
        return f"{len(steps)} reads, final offset {show(self.final)}"

    def check_reread(self) -> str:
        """A read from the final offset brings nothing new."""
        step = self._read(self.first, self.final)
        known = {self._id(r) for r in self.records}
        fresh = [r for r in step.records if self._id(r) not in known]
        if fresh:
            keys = ", ".join(f"`{self.key(r)}`" for r in fresh[:5])
            raise SyncFailure(
                "reread-not-empty",
                f"table `{self.table}`: reading again from the final offset "
                f"{show(self.final)} returned {len(fresh)} new record(s) ({keys})",
            )
        self._duplicates(step.records)
        return "nothing new" + (f", {len(step.records)} repeated" if step.records else "")

    def check_midpoint(self) -> str:
        """From a mid-point cursor: every record at or after it, none before it."""
        shape, path = self._shape()
        if shape == "opaque" or path is None:
            raise SkipCheck("the offset holds no cursor value to move to a mid-point")
        ordered = sorted(
            (r for r in self.records if self.cursor_of(r) is not None),
            key=lambda r: sort_key(self.cursor_of(r)),
        )
        if len(ordered) < 3:
            raise SkipCheck(f"{len(ordered)} records with a cursor: too few for a mid-point")
        k = len(ordered) // 2
        mid = ordered[k]
        # The offset a run would hold after delivering every record before the mid-point one.
        value = self.cursor_of(ordered[k - 1]) if shape == "after" else self.cursor_of(mid)
        offset = set_leaf(self.final, path, value)

        def due(r: dict[str, Any]) -> bool:
            c = compare_cursors(self.cursor_of(r), value)
            return c > 0 if shape == "after" else c >= 0

        expected = {self.key(r) for r in ordered if due(r)}
        steps, _ = self._loop(self.make(), offset)
        got = [r for s in steps for r in s.records]
        label = f"table `{self.table}`: a read from the mid-point offset {show(offset)}"
        before = [
            r
            for r in got
            if self.cursor_of(r) is not None and compare_cursors(self.cursor_of(r), value) < 0
        ]
        if before:
            keys = ", ".join(f"`{self.key(r)}`" for r in before[:5])
            raise SyncFailure(
                "midpoint-before-cursor",
                f"{label} returned {len(before)} record(s) from before it ({keys}); filter the "
                f"read by the offset's cursor",
            )
        lost = sorted(expected - {self.key(r) for r in got})
        if lost:
            at_mid = self.key(mid) in lost
            why = (
                "the record at the mid-point cursor itself is missing: the read compares the "
                "cursor with `>` where the offset means 'from this value on' (`>=`)"
                if at_mid and shape == "from"
                else "records after the cursor are missing: check how the offset's cursor is "
                "turned into the request's filter"
            )
            raise SyncFailure(
                "midpoint-lost",
                f"{label} lost {len(lost)} of {len(expected)} record(s) at or after it "
                f"({', '.join(f'`{k}`' for k in lost[:5])}); {why}",
            )
        dup = self._duplicates(got, boundary=value)
        after = "after" if shape == "after" else "from"
        return f"{len(expected)} of {len(ordered)} records {after} cursor `{value}`" + (
            f", {dup} at the boundary again" if dup else ""
        )

    def check_changes(self) -> str:
        """Rows written after a full read come back on the next run's read."""
        if self.driver is None or (why := self.driver.can_write(self.table)):
            raise SkipCheck(why or "no way to change the source here")
        rows, mapping = self.driver.write(self.table, 2)
        label = f"table `{self.table}`"

        def read_back() -> bool:
            steps, _ = self._loop(self.make(), self.final)
            got = [r for s in steps for r in s.records]
            missing = find_rows(rows, mapping, got, label)
            assert not missing, f"{len(missing)} written rows not read back yet"
            self.final = steps[-1].offset
            return True

        try:
            eventually(read_back, timeout=self.s.visibility_timeout_s, message="written rows")
        except EventuallyTimeout as exc:
            raise SyncFailure(
                "change-missed",
                f"{label}: {len(rows)} row(s) written after a full read were not read from its "
                f"final offset {show(self.final)} by the next run ({exc})",
            ) from None
        return f"{len(rows)} written rows read back"

    def check_window(self) -> str:
        """A run ends while the source keeps producing records (the window / _init_time cap)."""
        if self.driver is None or (why := self.driver.can_write(self.table)):
            raise SkipCheck(why or "no way to change the source here")
        driver = self.driver
        steps, ended = self._loop(
            self.make(),
            self.final,
            before_each=lambda: driver.write(self.table, 1),
            max_reads=self.s.window_reads,
        )
        if not ended:
            raise SyncFailure(
                "window-cap-ignored",
                f"table `{self.table}`: with one new record written before each read, the run "
                f"had not ended after {len(steps)} reads (offset {show(steps[-1].offset)}); "
                "cap each run at the cursor its first read saw (ReadWindow, or _init_time)",
            )
        return f"ended after {len(steps)} reads while the source changed"

    def check_deletes(self) -> str:
        """A row deleted after a full read of the deletes shows on the next read."""
        steps, _ = self._loop(self.first, None, deletes=True)
        start = steps[-1].offset
        if self.driver is None or (why := self.driver.can_delete(self.table)):
            raise SkipCheck(why or "no way to delete from the source here")
        rows, mapping = self.driver.delete(self.table, 1)
        label = f"table `{self.table}`"

        def read_back() -> bool:
            got_steps, _ = self._loop(self.make(), start, deletes=True)
            got = [r for s in got_steps for r in s.records]
            missing = find_rows(rows, mapping, got, f"{label} deletes") if got else rows
            assert not missing, f"{len(missing)} deleted rows not read yet"
            return True

        try:
            eventually(read_back, timeout=self.s.visibility_timeout_s, message="deleted row")
        except EventuallyTimeout:
            raise SyncFailure(
                "delete-missed",
                f"{label}: a row deleted after a full read (key "
                f"{', '.join(f'`{self.key(r)}`' for r in rows)}) did not come from "
                f"read_table_deletes from offset {show(start)}",
            ) from None
        return f"{len(rows)} deleted row(s) read back"

    # -------------------------------------------------------------- helpers

    def _id(self, record: dict[str, Any]) -> tuple[str, str]:
        return self.key(record), str(self.cursor_of(record))

    def _shape(self) -> tuple[str, tuple[str, ...] | None]:
        cursors = [self.cursor_of(r) for r in self.records if self.cursor_of(r) is not None]
        if not cursors or not isinstance(self.final, dict):
            return "opaque", None
        top = max(cursors, key=sort_key)
        found = list(leaves(self.final))
        for path, value in found:
            if value is not None and compare_cursors(value, top) == 0:
                return "after", path
        if isinstance(top, int) and not isinstance(top, bool):
            for path, value in found:
                if isinstance(value, int) and value == top + 1:
                    return "from", path
        return "opaque", None

    def _duplicates(self, records: list[dict[str, Any]], boundary: Any = None) -> int:
        counts: dict[str, int] = {}
        for r in records:
            counts[self.key(r)] = counts.get(self.key(r), 0) + 1
        dup = {k for k, n in counts.items() if n > 1}
        if boundary is not None:
            dup |= {
                self.key(r)
                for r in records
                if self.cursor_of(r) is not None
                and compare_cursors(self.cursor_of(r), boundary) == 0
            }
        else:
            dup |= {self.key(r) for r in records}
        for key in sorted(dup):
            if key not in self.report.boundary_duplicates:
                self.report.boundary_duplicates.append(key)
        return len(dup)


def _frames(exc: BaseException) -> list[tuple[str, int]]:
    tb = exc.__traceback__
    out = []
    while tb is not None:
        out.append((tb.tb_frame.f_code.co_filename, tb.tb_lineno))
        tb = tb.tb_next
    return out
