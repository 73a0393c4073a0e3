"""run_suite's overhead over a bare ``python -m pytest`` run of the same suite.

All run the example's suite (simulate mode) in a subprocess, in turn, three times each;
the medians and the ratios are printed. run_suite leaves out a plugin the suite does not use
(hypothesis), so its ratio to a bare run can come out below 1; the ratio to a bare run with
the same plugins is its own overhead (the events plugin and the diagnosis).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from skillpack.layout import bundled_workspace, source_paths
from skillpack.tools import RunSuiteIn, run_suite

ROUNDS = 3


def _bare(test_file: Path, root: Path, *extra: str) -> float:
    env = {**os.environ, "CONNECTOR_TEST_MODE": "simulate"}
    cmd = [sys.executable, "-m", "pytest", str(test_file), "-q", "-p", "no:cacheprovider", *extra]
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"bare pytest failed ({done.returncode}): {done.stdout[-300:]!r}")
    return seconds


def _tool(root: Path) -> float:
    started = time.perf_counter()
    out = run_suite(RunSuiteIn(source="example", workspace=str(root)))
    seconds = time.perf_counter() - started
    if not out.passed:
        raise RuntimeError(f"run_suite did not pass: {out.causes}")
    return seconds


def run() -> list[str]:
    paths = source_paths("example", bundled_workspace())
    bare, lean, tool = [], [], []
    for _ in range(ROUNDS):
        bare.append(_bare(paths.test_file, paths.root))
        lean.append(_bare(paths.test_file, paths.root, "-p", "no:hypothesispytest"))
        tool.append(_tool(paths.root))
    b, n, t = (statistics.median(x) for x in (bare, lean, tool))
    return [
        f"bare pytest subprocess: {b:.2f}s (median of {ROUNDS})",
        f"bare pytest, same plugins as run_suite: {n:.2f}s",
        f"run_suite (subprocess + events + diagnosis): {t:.2f}s",
        f"ratio run_suite / bare: {t / b:.2f}x; / bare with the same plugins: {t / n:.2f}x",
    ]


if __name__ == "__main__":
    print("\n".join(run()))
