"""Time to package and verify the example connector (goal: under 10 s warm).

    python bench/bench_package.py

On a fresh copy of the bundled workspace, in one process: (a) the build alone
(``verify: false``), the baseline; (b) package + verify the first time, which also builds the
pack's own wheel; (c) package + verify again, with that wheel cached; (d) the same with the
single-file form and its checks. Ratios are against (a).

Then the footprint of the built wheel as a user installs it: pip resolves its requirements
from the configured index into a fresh venv; the line reports how many distributions landed
there (goal: at most 12, none of them tooling) and how long ``import`` of the connector takes in
a fresh process (goal: at most 0.3 s), as a ratio against starting that interpreter bare.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from skillpack.create.demo import copy_bundled_workspace
from skillpack.tools import PackageConnectorIn, package_connector

GOAL_S = 10.0
IMPORT_GOAL_S = 0.3
MOST_DISTRIBUTIONS = 12
TOOLING = {"connector-skillpack", "pytest", "mcp", "libcst", "gitpython", "vcrpy", "build"}
RUNS = 7


def _pip(*args: str) -> str:
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def _startup(python: Path, code: str) -> float:
    """Shortest wall time of a fresh ``python -I -c code`` (the least disturbed run)."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run([str(python), "-I", "-c", code], check=True)
        times.append(time.perf_counter() - started)
    return min(times)


def _footprint(wheel: Path, base: Path) -> list[str]:
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    _pip("--python", str(python), "install", "-q", "--only-binary", ":all:", str(wheel))
    listed = json.loads(_pip("--python", str(python), "list", "--format", "json"))
    names = sorted(d["name"].lower() for d in listed if d["name"] not in ("pip", "setuptools"))
    tooling = sorted(TOOLING & set(names))
    bare = _startup(python, "pass")
    imported = _startup(python, "import lakeflow_connector_example.example")
    own = imported - bare
    return [
        f"wheel installed by pip into a fresh venv: {len(names)} distributions "
        f"(goal at most {MOST_DISTRIBUTIONS}: "
        + ("met" if len(names) <= MOST_DISTRIBUTIONS else "missed")
        + f"); tooling among them: {', '.join(tooling) or 'none'}",
        f"python -I -c 'import lakeflow_connector_example.example': {imported:.3f}s "
        f"({imported / bare:.1f}x a bare interpreter start, {bare:.3f}s; the import itself "
        f"{own:.3f}s); goal at most {IMPORT_GOAL_S:g}s: "
        + ("met" if imported <= IMPORT_GOAL_S else "missed"),
    ]


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
        wheel = next((workspace / "sources" / "example" / "dist").glob("*.whl"))
        footprint = _footprint(wheel, Path(tmp))
    passed = all((ok_build, ok_cold, ok_warm, ok_single))
    return [
        f"build only (wheel + sdist, baseline): {build:.2f}s",
        f"package + verify, pack wheel built too: {cold:.2f}s ({cold / build:.1f}x)",
        f"package + verify, warm: {warm:.2f}s ({warm / build:.1f}x); goal under {GOAL_S:g}s: "
        + ("met" if warm < GOAL_S else "missed"),
        f"package + verify + single-file form and its suite: {single:.2f}s ({single / build:.1f}x)",
        f"every run passed its gate: {passed}",
        *footprint,
    ]


if __name__ == "__main__":
    print("\n".join(run()))
