"""`skillpack create` from the example's API doc alone, killed mid-step and resumed.

One run serves every assertion: it is the slowest thing in the suite (fourteen gated
steps, three suite runs, a package build), so it happens once per test session.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import git
import pytest
import yaml

from skillpack.create.measured import MEASURED_BY
from skillpack.examples.example_api import serve_example_api
from skillpack.layout import bundled_workspace, source_paths
from skillpack.review._rubric import load_rubric

pytestmark = pytest.mark.e2e

DOC = source_paths("example", bundled_workspace()).api_doc


def _create(workspace: Path, *extra: str, server=None) -> subprocess.Popen:
    args = [sys.executable, "-m", "skillpack", "create", "example", "--workspace", str(workspace)]
    if server is not None:
        args += ["--doc", str(DOC), "--config", f"base_url={server.url}"]
        args += ["--config-env", "api_key=EXAMPLE_API_KEY"]
    env = {**os.environ, "EXAMPLE_API_KEY": server.api_key if server else ""}
    return subprocess.Popen(
        [*args, *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _state(workspace: Path) -> dict:
    path = workspace / ".skillpack" / "example.state.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _wait_for_running(workspace: Path, step: str, proc: subprocess.Popen, limit: float = 120):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        steps = {s["name"]: s["status"] for s in _state(workspace).get("steps", [])}
        if steps.get(step) == "running":
            return
        if proc.poll() is not None:
            raise AssertionError(f"create ended before `{step}` ran: {proc.stderr.read()}")
        time.sleep(0.05)  # polling a file another process writes; no event to wait on
    raise AssertionError(f"`{step}` never started")


@pytest.fixture(scope="module")
def created(tmp_path_factory):
    workspace = tmp_path_factory.mktemp("create") / "ws"
    with serve_example_api() as server:
        first = _create(workspace, server=server)
        _wait_for_running(workspace, "test_simulate", first)
        os.killpg(first.pid, signal.SIGKILL)
        first.communicate()
        killed = _state(workspace)
        resumed = _create(workspace, "--resume", server=server)
        out, err = resumed.communicate(timeout=600)
        judgements = source_paths("example", workspace).review_judgements
        measured = yaml.safe_load(judgements.read_text(encoding="utf-8"))
        stopped = (resumed.returncode, err, measured)
        # The review's judgements need a person's (or an agent's) evidence: until they are
        # answered the band is provisional and create stops there, saying so.
        verdicts = {
            c.id: {"verdict": "pass", "evidence": "create e2e: suites passed live and offline"}
            for c in load_rubric().checks
            if c.decided == "judgement"
        }
        judgements.write_text(json.dumps(verdicts), encoding="utf-8")
        answered = _create(workspace, "--resume", server=server)
        out, err = answered.communicate(timeout=600)
        yield workspace, killed, stopped, answered.returncode, out, err, server.api_key


def test_killed_run_resumes_and_finishes(created):
    workspace, killed, stopped, code, out, err, _ = created
    statuses = {s["name"]: s["status"] for s in killed["steps"]}
    assert statuses["implement"] == "passed" and statuses["test_simulate"] == "running"
    assert stopped[0] == 1 and "step `review` failed its gate" in stopped[1]
    # what the run measured it answers itself; the rest waits for an agent or a person
    assert "provisional" in stopped[1] and "impl.type-mapping" in stopped[1]
    assert "test.live-verified" not in stopped[1].split("provisional")[-1]
    assert sorted(stopped[2]) == sorted(MEASURED_BY)
    assert "`test_live` passed (15 passed" in stopped[2]["test.live-verified"]["evidence"]
    assert code == 0, err[-3000:]
    final = {s["name"]: s["status"] for s in _state(workspace)["steps"]}
    assert set(final.values()) == {"passed"}, final
    assert "passed earlier" in err and "14/14 steps passed" in out


def test_created_connector_passes_suites_packages_and_reviews_well(created):
    workspace, *_ = created
    steps = {s["name"]: s for s in _state(workspace)["steps"]}
    assert "failed" not in steps["test_live"]["message"]
    assert steps["review"]["message"].split("band ")[1].startswith(("READY", "ALMOST"))
    paths = source_paths("example", workspace)
    assert paths.self_review.exists()
    assert list((paths.source_dir / "dist").glob("*.whl"))
    assert paths.test_utils.exists()


def test_each_passed_step_is_a_commit_and_no_secret_is_in_history(created):
    workspace, *_, api_key = created
    repo = git.Repo(workspace)
    messages = [c.message for c in repo.iter_commits()]
    assert any("implement passed" in m for m in messages)
    assert any("test_live passed" in m for m in messages)
    assert api_key not in repo.git.log("-p", "--all")
    assert "dev_config.json" not in repo.git.ls_files()


def test_without_credentials_the_run_waits_for_a_person(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "skillpack", "create", "example", "--doc", str(DOC),
         "--workspace", str(tmp_path / "ws")],
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "waiting for credentials" in proc.stderr and "skillpack auth example" in proc.stderr
    assert "Traceback" not in proc.stderr
    statuses = {s["name"]: s["status"] for s in _state(tmp_path / "ws")["steps"]}
    # Offline steps run first: the generated connector is tested before anyone is asked.
    for step in ("doc", "lint", "spec", "implement", "test_simulate"):
        assert statuses[step] == "passed", statuses
    for step in ("auth", "connect", "record", "test_live"):
        assert statuses[step] == "waiting", statuses


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--doc", "/no/such/doc.md"], "does not exist"),
        (["--resume"], "nothing to resume"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, args, message):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "skillpack",
            "create",
            "example",
            "--workspace",
            str(tmp_path),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
