"""``skillpack demo``: the main job, end to end, on the bundled example.

It starts the example API on a free 127.0.0.1 port and runs ``skillpack create``
from the example's API doc alone into a fresh workspace: doc, lint, spec,
credentials, implement, offline suite, record, write-back, live suites, package
and review, each gated. It ends with the review's score and band and the path of
SELF_REVIEW.md.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from argparse import Namespace
from pathlib import Path

from skillpack.errors import InputError
from skillpack.examples.example_api import serve_example_api
from skillpack.layout import bundled_workspace, source_paths


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
    from skillpack.create.orchestrator import context_for, run_create

    started = time.perf_counter()
    given = getattr(args, "workspace", None)
    base = Path(given) if given else Path(tempfile.mkdtemp(prefix="skillpack-demo-"))
    workspace = base / "workspace"
    if workspace.exists():
        if not (workspace / ".skillpack").is_dir():
            raise InputError(
                f"`{workspace}` exists and is not a demo workspace",
                hint="pass --workspace with a new or earlier demo folder",
            )
        shutil.rmtree(workspace)  # an earlier demo's output: start afresh
    doc = source_paths("example", bundled_workspace()).api_doc
    with serve_example_api() as server:
        _say(f"example API on {server.url}; workspace {workspace}")
        ctx = context_for(
            "example",
            doc=str(doc),
            workspace=str(workspace),
            config_values={"base_url": server.url, "api_key": server.api_key},
        )
        state = run_create(ctx, say=_say)
    review = state.step("review")
    report = source_paths("example", workspace).self_review
    passed = sum(1 for s in state.steps if s.status == "passed")
    print(
        f"example: {passed}/{len(state.steps)} steps passed in "
        f"{time.perf_counter() - started:.1f}s; review {review.message}; report {report}"
    )
    return 0
