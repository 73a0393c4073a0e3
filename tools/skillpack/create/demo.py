"""``skillpack demo``: the main job, end to end, on the bundled example.

It starts the example API on a free 127.0.0.1 port and runs ``skillpack create``
from the example's API doc alone into a fresh workspace: doc, lint, spec,
credentials, implement, offline suite, record, write-back, live suites, package
and review, each gated. It ends with the review's score and band and the path of
SELF_REVIEW.md.

The run answers the judgement checks its own steps measured (suites offline and live,
incremental sync); the others (type mapping, simulator fidelity, the doc against the vendor's
reference) are an agent's or a person's to answer, so an unattended run stops at the review
with the band marked provisional. For the demo that is the expected end: it lists those
checks and how to answer them, and exits 0. Any other stop is a failure (exit 1).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from argparse import Namespace
from pathlib import Path
from typing import TYPE_CHECKING

from skillpack.errors import GateFailed, InputError
from skillpack.examples.example_api import serve_example_api
from skillpack.layout import bundled_workspace, source_paths

if TYPE_CHECKING:
    from skillpack.create.state import RunState
    from skillpack.create.steps import Context


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
        try:
            state = run_create(ctx, say=_say)
            waiting: list[str] = []
        except GateFailed as stop:
            state, waiting = _waiting_for_judgements(ctx, stop)
    review = state.step("review")
    paths = source_paths("example", workspace)
    passed = sum(1 for s in state.steps if s.status == "passed")
    print(
        f"example: {passed}/{len(state.steps)} steps passed in "
        f"{time.perf_counter() - started:.1f}s; review {review.message}; "
        f"report {paths.self_review}"
    )
    if waiting:
        print(
            f"left for an agent or a person (skills/review): {', '.join(waiting)}; answer them "
            f"in {paths.review_judgements}, then `skillpack create example --workspace "
            f"{workspace} --resume`"
        )
    return 0


def _waiting_for_judgements(ctx: Context, stop: GateFailed) -> tuple[RunState, list[str]]:
    """After a stop: the state and the pending judgements when only those stopped the run.

    Any other stop (a step before the review, or a review that failed a check) is ``stop``
    raised again.
    """
    from skillpack.create.state import RunState
    from skillpack.registry import get_tool
    from skillpack.review.review import PASSING_BANDS

    state = RunState.load(ctx.paths.state_file)
    failed = [s.name for s in state.steps if s.status != "passed"]
    if failed == ["review"]:
        out = get_tool("review_connector").call_json(ctx.source)
        if out["provisional"] and out["band_code"] in PASSING_BANDS and not out["review_errors"]:
            return state, out["pending"]
    raise stop
