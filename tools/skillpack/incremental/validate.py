"""validate_incremental_sync: check a connector's cursors and offsets against a changing source.

For each cdc, cdc_with_deletes and append table it reads the table to the end and then checks
that offsets are JSON and only move forward; that a read from the final offset brings nothing
new; that a read from a mid-point cursor brings every record at or after it and none before
(records read again at the boundary are reported by key); that rows written after a read come
on the next run; that a row deleted shows in ``read_table_deletes``; and that a run ends while
the source keeps producing records (the read window, ``_init_time``). Example::

    out = validate_incremental_sync(ValidateIncrementalSyncIn(source="example", workspace="ws"))
    for table in out.tables:
        for check in table.checks:
            if check.status == "failed":
                print(check.message, check.location)

The source's test class supplies the config, its local service and the simulate/record/live
wrapping, exactly as for the suites; its write-back utilities change the source between
reads, or offline the spec-driven simulator does. Against a recorded cassette the checks
that need a change are skipped with the reason. ``record`` runs as ``live`` and records
nothing, so the suite's cassette stays as it is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, Field

from skillpack.errors import InputError, SkillpackError, SourceError
from skillpack.incremental._report import locate, section, write_report
from skillpack.inputs import ModeArgs, SourceArgs
from skillpack.registry import tool
from skillpack.testing.config import MODE_ENV

REPORT_NAME = "INCREMENTAL_SYNC.md"


class ValidateIncrementalSyncIn(SourceArgs, ModeArgs):
    """Input of ``validate_incremental_sync``."""

    tables: list[str] | None = Field(
        None,
        description="Incremental tables to check; every cdc, cdc_with_deletes and append "
        "table when omitted.",
    )
    max_reads: int = Field(
        50, ge=2, description="Most read_table calls for one full read before it counts as endless."
    )
    visibility_timeout_s: float | None = Field(
        None,
        gt=0,
        description="Seconds to wait for a write or delete to show in a read; the test class's "
        "`write_visibility_timeout_s` when omitted (a local service of the class: 2).",
    )
    write_report: bool = Field(
        True, description=f"Write this mode's section of tests/sources/NAME/{REPORT_NAME}."
    )


class SyncCheck(BaseModel):
    """One check of one table."""

    name: str = Field(description="offsets, reread, midpoint, changes, window or deletes.")
    status: str = Field(description="passed, failed or skipped.")
    message: str = Field("", description="What was seen; a failure starts with its [code].")
    code: str | None = Field(None, description="Stable failure code, e.g. `midpoint-lost`.")
    location: str | None = Field(
        None, description="`path:line` in the workspace to look at when the check failed."
    )


class TableSyncResult(BaseModel):
    """Every check of one incremental table."""

    table: str = Field(description="Table name.")
    ingestion_type: str = Field(description="cdc, cdc_with_deletes or append.")
    offset_shape: str = Field(
        description="`after` (offset holds the last cursor read), `from` (the next cursor) or "
        "`opaque` (no cursor value in it)."
    )
    records: int = Field(description="Distinct records of the first full read.")
    checks: list[SyncCheck] = Field(description="The checks, in the order they ran.")
    boundary_duplicates: list[str] = Field(
        default_factory=list, description="Keys read again at a read boundary (not a failure)."
    )


class ValidateIncrementalSyncOut(BaseModel):
    """Per-table results, the gate and where the report went."""

    GATE: ClassVar[str] = "passed"

    source: str = Field(description="The source checked.")
    mode: str = Field(description="simulate, record or live.")
    passed: bool = Field(description="Gate: no check failed (skipped checks do not fail it).")
    failed: int = Field(description="Failed checks over all tables.")
    skipped: int = Field(description="Skipped checks over all tables.")
    tables: list[TableSyncResult] = Field(description="One entry per incremental table.")
    report_path: str | None = Field(None, description="The Markdown report written, if any.")
    seconds: float = Field(description="Wall time, start-up included.")


@tool
def validate_incremental_sync(inp: ValidateIncrementalSyncIn) -> ValidateIncrementalSyncOut:
    """Check cursors and offsets of a source's incremental tables against a changing source.

    Run it after the offline suite passes and again after the live one. Each failed check
    names its cause code and the `path:line` to fix.
    """
    paths = inp.paths()
    if not paths.test_file.is_file():
        raise InputError(
            f"no test file for `{paths.name}` at `{paths.test_file}`",
            hint="write the test file first (a class subclassing LakeflowConnectTests)",
            code="no-test-file",
        )
    started = time.perf_counter()
    job = {
        "test_file": str(paths.test_file),
        "import_roots": [str(p) for p in paths.import_roots],
        "tables": inp.tables,
        "settings": {"max_reads": inp.max_reads},
        "visibility_timeout_s": inp.visibility_timeout_s,
    }
    raw = _run_child(job, inp.mode, inp.timeout_s)
    unknown = raw.get("unknown_tables") or []
    if unknown:
        raise InputError(
            f"no incremental table {', '.join(f'`{t}`' for t in unknown)} in `{paths.name}`",
            hint="name cdc, cdc_with_deletes or append tables, or leave `tables` out",
            code="unknown-table",
        )
    connector_file = Path(raw["connector_file"])
    source_files = [connector_file, paths.test_utils, paths.test_file]
    tables = []
    for t in raw["tables"]:
        for c in t["checks"]:
            c["location"] = (
                locate(c, connector_file, paths.root, source_files)
                if c["status"] == "failed"
                else None
            )
        tables.append(t)
    checks = [c for t in tables for c in t["checks"]]
    failed = sum(c["status"] == "failed" for c in checks)
    report = None
    if inp.write_report:
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        target = paths.tests_dir / REPORT_NAME
        write_report(target, inp.mode, section(inp.mode, tables, stamp))
        report = str(target)
    return ValidateIncrementalSyncOut(
        source=paths.name,
        mode=inp.mode,
        passed=failed == 0,
        failed=failed,
        skipped=sum(c["status"] == "skipped" for c in checks),
        tables=[
            TableSyncResult(
                **{k: v for k, v in t.items() if k != "checks"},
                checks=[
                    SyncCheck(**{k: c[k] for k in SyncCheck.model_fields}) for c in t["checks"]
                ],
            )
            for t in tables
        ],
        report_path=report,
        seconds=round(time.perf_counter() - started, 3),
    )


def _run_child(job: dict, mode: str, timeout_s: float) -> dict:
    # record runs live: recording these reads would overwrite the suite's own cassette.
    env = {**os.environ, MODE_ENV: "live" if mode == "record" else mode}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "skillpack.incremental._child"],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SourceError(
            f"the incremental-sync checks did not finish within {timeout_s:g}s",
            hint="a read hangs: run the suite (skillpack test NAME) to find it, or raise "
            "`timeout_s`",
            code="sync-timeout",
        ) from None
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    answer = json.loads(lines[-1]) if lines else {"error": done.stderr.strip()[-1000:]}
    if "result" not in answer:
        raise _child_error(str(answer.get("error") or "no result"))
    return answer["result"]


def _child_error(message: str) -> SkillpackError:
    if "[config-missing]" in message:
        return InputError(
            message,
            hint="write the dev config (skillpack auth NAME) or run in simulate mode",
            code="config-missing",
        )
    return SourceError(
        f"the incremental-sync checks could not start: {message}",
        hint="run the generic suite first (skillpack test NAME) and fix what it reports",
        code="sync-not-started",
    )
