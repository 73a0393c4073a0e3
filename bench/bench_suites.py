"""Wall time of the example's generic + write-back suites (goal: under 5 s live)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from skillpack.layout import bundled_workspace, source_paths
from skillpack.testing.inprocess import run_pytest


def run() -> list[str]:
    test_file = str(source_paths("example", bundled_workspace()).test_file)
    lines = []
    for mode in ("simulate", "live"):
        summary = run_pytest([test_file, "-q", "--no-header"], env={"CONNECTOR_TEST_MODE": mode})
        lines.append(
            f"example suites ({mode}): {summary.seconds:.2f}s wall, {summary.passed} passed, "
            f"{summary.failed} failed, {summary.skipped} skipped"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
