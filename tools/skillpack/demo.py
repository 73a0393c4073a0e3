"""``skillpack demo``: the main job, end to end, on the bundled example.

It copies the bundled workspace to a fresh folder, starts the example API on a
free 127.0.0.1 port, runs the generic and write-back suites live against it and
prints a short summary.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from argparse import Namespace
from pathlib import Path

from skillpack.layout import bundled_workspace, source_paths
from skillpack.testing.inprocess import run_pytest


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def copy_bundled_workspace(target: Path) -> Path:
    """Copy the bundled example workspace into ``target`` (which must not exist yet)."""
    shutil.copytree(
        bundled_workspace(), target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    return target


def run_demo(args: Namespace) -> int:
    """Run the demo; returns the process exit code."""
    started = time.perf_counter()
    keep = bool(getattr(args, "keep", False))
    given = getattr(args, "workspace", None)
    base = Path(given) if given else Path(tempfile.mkdtemp(prefix="skillpack-demo-"))
    workspace = base / "workspace"
    try:
        copy_bundled_workspace(workspace)
        paths = source_paths("example", workspace)
        _say(f"workspace: {workspace}")
        _say("running the generic and write-back suites live against the example API ...")
        summary = run_pytest(
            [str(paths.test_file), "-q", "--no-header"],
            env={"CONNECTOR_TEST_MODE": "live"},
        )
        # pytest put the workspace on sys.path; listing tables needs no network.
        from sources.example.example import ExampleLakeflowConnect

        offline = {"base_url": "http://127.0.0.1:9/v1", "api_key": "unused"}
        tables = ExampleLakeflowConnect(offline).list_tables()
        print(
            f"example: {len(tables)} tables ({', '.join(tables)}); "
            f"{summary.passed} passed, {summary.failed} failed, {summary.skipped} skipped; "
            f"suites {summary.seconds:.1f}s, demo {time.perf_counter() - started:.1f}s"
        )
        return 0 if summary.failed == 0 and summary.exit_code == 0 else 1
    finally:
        if not keep and not given:
            shutil.rmtree(base, ignore_errors=True)
