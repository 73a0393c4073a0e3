"""Time to package and verify the example connector (goal: under 10 s warm).

    python bench/bench_package.py

On a fresh copy of the bundled workspace, in one process: (a) the build alone
(``verify: false``), the baseline; (b) package + verify the first time, which also builds the
pack's own wheel; (c) package + verify again, with that wheel cached; (d) the same with the
single-file form and its checks. Ratios are against (a).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from skillpack.create.demo import copy_bundled_workspace
from skillpack.tools import PackageConnectorIn, package_connector

GOAL_S = 10.0


def _timed(workspace: Path, **options: bool) -> tuple[float, bool]:
    started = time.perf_counter()
    out = package_connector(
        PackageConnectorIn(source="example", workspace=str(workspace), **options)
    )
    return time.perf_counter() - started, out.passed


def run() -> list[str]:
    with tempfile.TemporaryDirectory(prefix="bench-package-") as tmp:
        workspace = copy_bundled_workspace(Path(tmp) / "ws")
        build, ok_build = _timed(workspace, verify=False)
        cold, ok_cold = _timed(workspace)
        warm, ok_warm = _timed(workspace)
        single, ok_single = _timed(workspace, single_file=True)
    passed = all((ok_build, ok_cold, ok_warm, ok_single))
    return [
        f"build only (wheel + sdist, baseline): {build:.2f}s",
        f"package + verify, pack wheel built too: {cold:.2f}s ({cold / build:.1f}x)",
        f"package + verify, warm: {warm:.2f}s ({warm / build:.1f}x); goal under {GOAL_S:g}s: "
        + ("met" if warm < GOAL_S else "missed"),
        f"package + verify + single-file form and its suite: {single:.2f}s ({single / build:.1f}x)",
        f"every run passed its gate: {passed}",
    ]


if __name__ == "__main__":
    print("\n".join(run()))
