"""Wall time of the Kinto suites live (a real Kinto server) and replayed from the cassette.

The ratio says how much faster the offline replay is than the live run it was recorded from.
The live figure includes starting and seeding Kinto, as a CI run pays it too.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from skillpack.layout import bundled_workspace, source_paths
from skillpack.testing.inprocess import RunSummary, run_pytest
from skillpack.testing.kinto_server import find_kinto


def _line(label: str, summary: RunSummary) -> str:
    return (
        f"kinto suites ({label}): {summary.seconds:.2f}s wall, {summary.passed} passed, "
        f"{summary.failed} failed, {summary.skipped} skipped"
    )


def run() -> list[str]:
    if find_kinto() is None:
        return ["kinto is not installed: pip install 'connector-skillpack[kinto]'"]
    test_file = str(source_paths("kinto", bundled_workspace()).test_file)
    runs = {
        mode: run_pytest([test_file, "-q", "--no-header"], env={"CONNECTOR_TEST_MODE": mode})
        for mode in ("live", "simulate")
    }
    live, simulate = runs["live"], runs["simulate"]
    failed = [m for m, s in runs.items() if s.failed or s.exit_code]
    if failed:
        raise RuntimeError(f"the Kinto suites failed in {', '.join(failed)} mode")
    return [
        _line("live", live),
        _line("simulate", simulate),
        f"simulate / live wall time: {simulate.seconds / live.seconds:.2f} "
        f"(replay {live.seconds / simulate.seconds:.1f}x faster)",
    ]


if __name__ == "__main__":
    print("\n".join(run()))
