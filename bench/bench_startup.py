"""Start-up cost of the command line: `skillpack --version` against `import pydantic`.

    python bench/bench_startup.py

Both run as fresh interpreters, several times each; the figure is the ratio of medians, so
it holds across machines. `--version` must stay cheap: it builds the argument parser and
imports no tool (goal: at most 3x a bare `import pydantic`).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 7


def _median_seconds(args: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run() -> list[str]:
    python = sys.executable
    baseline = _median_seconds([python, "-c", "import pydantic"])
    version = _median_seconds([python, "-m", "skillpack", "--version"])
    listing = _median_seconds([python, "-m", "skillpack", "tool", "list"])
    return [
        f"import pydantic: {baseline * 1000:.0f} ms (median of {RUNS})",
        f"skillpack --version: {version * 1000:.0f} ms, {version / baseline:.2f}x (goal <= 3x)",
        f"skillpack tool list: {listing * 1000:.0f} ms, {listing / baseline:.2f}x",
    ]


if __name__ == "__main__":
    print("\n".join(run()))
