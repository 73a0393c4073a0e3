"""A kill at every step boundary, then ``--resume``: every step passes, nothing doubled.

One chain of runs: each run is SIGKILLed by the test hook ``SKILLPACK_TEST_KILL_AT`` at the
next step's boundary, and the next run resumes it. The kinds of kill alternate from step to
step: after the tool ran but before its commit (the step must run again), and after its
commit but before the state recorded it (the commit must be found, not repeated). One kill
per step keeps the chain near the cost of a single create.
"""

from __future__ import annotations

import json
import signal

import git
import pytest

from skillpack.create.orchestrator import STEP_NAMES
from skillpack.examples.example_api import serve_example_api
from skillpack.layout import source_paths
from skillpack.review._rubric import load_rubric
from tests.reliability._cli import DOC, assert_valid_history, run_cli

pytestmark = pytest.mark.e2e

BOUNDARIES = [(step, ("committed", "ran")[i % 2]) for i, step in enumerate(STEP_NAMES)]


def _answer_judgements(workspace):
    # Until its judgements are answered the review is provisional and its gate holds the run.
    verdicts = {
        c.id: {"verdict": "pass", "evidence": "suites passed live and offline"}
        for c in load_rubric().checks
        if c.decided == "judgement"
    }
    path = source_paths("example", workspace).review_judgements
    path.write_text(json.dumps(verdicts), encoding="utf-8")


def test_a_kill_at_each_step_boundary_resumes_to_12_of_12(tmp_path):
    workspace = tmp_path / "ws"
    with serve_example_api() as server:
        config = ["--config", f"base_url={server.url}", "--config-env", "api_key=EXAMPLE_API_KEY"]
        env = {"EXAMPLE_API_KEY": server.api_key}
        first = ["create", "example", "--workspace", str(workspace), *config]
        killed_at = []
        for n, (step, phase) in enumerate(BOUNDARIES):
            if step == "review":
                _answer_judgements(workspace)
            args = [*first, "--doc", str(DOC)] if n == 0 else [*first, "--resume"]
            proc = run_cli(*args, env={**env, "SKILLPACK_TEST_KILL_AT": f"{step}:{phase}"})
            assert proc.returncode == -signal.SIGKILL, (step, phase, proc.stderr[-2000:])
            state = json.loads((workspace / ".skillpack" / "example.state.json").read_text())
            statuses = {s["name"]: s["status"] for s in state["steps"]}
            assert statuses[step] == "running", (step, phase, statuses)
            killed_at.append(f"{step}:{phase}")
        final = run_cli(*first, "--resume", env=env)
    assert len(killed_at) == len(STEP_NAMES)
    assert final.returncode == 0, final.stderr[-3000:]
    assert f"{len(STEP_NAMES)}/{len(STEP_NAMES)} steps passed" in final.stdout
    state = json.loads((workspace / ".skillpack" / "example.state.json").read_text())
    assert {s["status"] for s in state["steps"]} == {"passed"}
    # exactly one commit per step, in order, each the one the state names
    commits = assert_valid_history(workspace)
    assert [m for m, _ in commits] == [f"create example: {s} passed" for s in STEP_NAMES]
    repo = git.Repo(workspace)
    shas = [c.hexsha[:12] for c in reversed(list(repo.iter_commits()))]
    assert [s["commit"] for s in state["steps"]] == shas
    assert server.api_key not in repo.git.log("-p", "--all")
    # the kills left no temp file behind: no half-written state, no scratch folder
    leftovers = [p.name for p in (workspace / ".skillpack").glob("*.tmp")]
    assert leftovers == []
    assert list((workspace / ".skillpack" / "tmp").glob("*")) == []
