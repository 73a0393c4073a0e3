"""validate_incremental_sync on the example in simulate mode, against its suite's own run.

The budget is 5 s; the run_suite of the same source (simulate, one subprocess too) is the
baseline measured in the same process, so the ratio is comparable across machines.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from skillpack.incremental import ValidateIncrementalSyncIn, validate_incremental_sync
from skillpack.layout import bundled_workspace
from skillpack.tools import RunSuiteIn, run_suite

ROUNDS = 3
BUDGET_S = 5.0


def _sync(root: Path) -> float:
    started = time.perf_counter()
    out = validate_incremental_sync(
        ValidateIncrementalSyncIn(source="example", workspace=str(root), write_report=False)
    )
    seconds = time.perf_counter() - started
    if not out.passed:
        raise RuntimeError(f"validate_incremental_sync failed: {out.failed} checks")
    return seconds


def _suite(root: Path) -> float:
    started = time.perf_counter()
    out = run_suite(RunSuiteIn(source="example", workspace=str(root)))
    if not out.passed:
        raise RuntimeError(f"run_suite did not pass: {out.causes}")
    return time.perf_counter() - started


def run() -> list[str]:
    root = bundled_workspace()
    sync = statistics.median(_sync(root) for _ in range(ROUNDS))
    suite = statistics.median(_suite(root) for _ in range(ROUNDS))
    verdict = "within" if sync < BUDGET_S else "OVER"
    return [
        f"validate_incremental_sync (example, simulate, 3 tables, 16 checks): {sync:.2f}s "
        f"median of {ROUNDS}, {verdict} the {BUDGET_S:g}s budget",
        f"vs run_suite of the same source: {sync / suite:.2f}x its {suite:.2f}s",
    ]
