"""Each failure found by probing the pack as a hostile user, replayed: it now ends well.

Concurrency, kills and bad inputs have their own files in this folder; the SDK's secrets
and deadlines are in tests/sdk/test_http_secrets.py and tests/sdk/test_http_deadlines.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import git
import pytest

from skillpack.create.lock import WorkspaceBusy, workspace_lock
from skillpack.create.orchestrator import STEP_NAMES
from skillpack.create.state import RunState
from skillpack.examples.example_api import serve_example_api
from skillpack.layout import source_paths
from skillpack.scratch import scratch_dir, sweep
from tests.reliability._cli import DOC, assert_one_line_error, run_cli
from tests.sdk._servers import refused_url

N = len(STEP_NAMES)

pytestmark = pytest.mark.e2e

ORIGINAL = "# Example API\n\nthe finished run's doc, kept byte for byte\n"


def _finished_workspace(tmp_path: Path) -> tuple[Path, str]:
    """A workspace whose `example` run finished: 12 passed steps, a doc, a git history."""
    ws = tmp_path / "ws"
    paths = source_paths("example", ws)
    paths.api_doc.parent.mkdir(parents=True)
    paths.api_doc.write_text(ORIGINAL)
    repo = git.Repo.init(ws)
    repo.index.add([str(paths.api_doc.relative_to(ws))])
    sha = repo.index.commit("create example: doc passed").hexsha[:12]
    state = RunState.fresh("example", str(paths.api_doc), STEP_NAMES)
    for step in state.steps:
        step.status, step.commit = "passed", sha
    state.save(paths.state_file)
    return ws, paths.state_file.read_text()


def test_create_over_a_finished_run_refuses_and_changes_nothing(tmp_path):
    ws, saved = _finished_workspace(tmp_path)
    empty = tmp_path / "empty.md"
    empty.write_text("")
    proc = run_cli("create", "example", "--doc", str(empty), "--workspace", str(ws))
    assert_one_line_error(proc.returncode, proc.stderr, "already has a create run")
    assert f"{N}/{N} steps passed" in proc.stderr and "--resume" in proc.stderr
    assert "--restart" in proc.stderr
    paths = source_paths("example", ws)
    assert paths.api_doc.read_text() == ORIGINAL
    assert paths.state_file.read_text() == saved


def test_restart_checks_the_new_doc_before_replacing_anything(tmp_path):
    ws, saved = _finished_workspace(tmp_path)
    empty = tmp_path / "empty.md"
    empty.write_text("")
    proc = run_cli("create", "example", "--doc", str(empty), "--workspace", str(ws), "--restart")
    assert_one_line_error(proc.returncode, proc.stderr, "describes no table")
    paths = source_paths("example", ws)
    assert paths.api_doc.read_text() == ORIGINAL
    assert paths.state_file.read_text() == saved
    assert not (ws / ".skillpack" / "backup").exists()


def test_restart_keeps_a_backup_of_the_state_and_the_replaced_doc(tmp_path):
    ws, saved = _finished_workspace(tmp_path)
    proc = run_cli("create", "example", "--doc", str(DOC), "--workspace", str(ws), "--restart",
                   "--until", "lint")  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    (backup,) = (ws / ".skillpack" / "backup").iterdir()
    assert (backup / "example.state.json").read_text() == saved
    assert (backup / "example_api_doc.md").read_text() == ORIGINAL
    state = json.loads(source_paths("example", ws).state_file.read_text())
    assert [s["status"] for s in state["steps"][:3]] == ["passed", "passed", "pending"]


def test_an_in_progress_run_is_not_restarted_by_accident(tmp_path):
    ws = tmp_path / "ws"
    first = run_cli("create", "example", "--doc", str(DOC), "--workspace", str(ws))
    assert first.returncode == 1 and "waiting for credentials" in first.stderr
    again = run_cli("create", "example", "--doc", str(DOC), "--workspace", str(ws))
    assert_one_line_error(again.returncode, again.stderr, "`auth` waiting")


def test_a_state_marked_passed_without_its_commit_is_run_again(tmp_path):
    # the shape a lost commit left behind: `doc` passed, `commit: null`
    ws = tmp_path / "ws"
    run_cli("create", "example", "--doc", str(DOC), "--workspace", str(ws), "--until", "doc")
    paths = source_paths("example", ws)
    data = json.loads(paths.state_file.read_text())
    data["steps"][0]["commit"] = None
    paths.state_file.write_text(json.dumps(data))
    git.Repo(ws).git.reset("--hard", "HEAD")  # the doc stays; only the state lost its commit
    proc = run_cli("create", "example", "--workspace", str(ws), "--resume", "--until", "lint")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "doc            passed earlier" in proc.stderr  # found its commit in the history
    state = json.loads(paths.state_file.read_text())
    assert state["steps"][0]["commit"] and state["steps"][1]["commit"]


@pytest.mark.parametrize("name", ["class", "import", "json", "match"])
def test_keyword_and_stdlib_names_are_refused_before_anything_is_written(tmp_path, name):
    ws = tmp_path / "ws"
    proc = run_cli("create", name, "--doc", str(DOC), "--workspace", str(ws))
    assert_one_line_error(proc.returncode, proc.stderr, f"source name `{name}`")
    assert not (ws / "sources").exists()


@pytest.mark.parametrize(
    ("problem", "verdict", "fix"),
    [
        ("refused", "unreachable", "the source could not be reached"),
        ("wrong-key", "bad_credentials", "the source rejected the credentials"),
    ],
)
def test_a_failed_connect_prints_and_saves_the_verdict_and_the_fix(tmp_path, problem, verdict, fix):
    ws = tmp_path / "ws"
    with serve_example_api() as server:
        url = refused_url() if problem == "refused" else server.url
        config = ["--config", f"base_url={url}", "--config", "api_key=k-123456"]
        proc = run_cli("create", "example", "--doc", str(DOC), "--workspace", str(ws), *config)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert f"verdict: {verdict}" in proc.stderr
    assert f"fix: {fix}" in proc.stderr
    assert f"step `connect` failed its gate (`ok`): verdict `{verdict}`" in proc.stderr
    state = json.loads(source_paths("example", ws).state_file.read_text())
    connect = next(s for s in state["steps"] if s["name"] == "connect")
    assert connect["status"] == "failed"
    assert connect["reason"]["verdict"] == verdict
    assert connect["reason"]["fix"].startswith(fix)
    assert connect["reason"]["detail"]
    assert "k-123456" not in proc.stderr + proc.stdout + json.dumps(state)


def test_a_held_workspace_lock_names_its_holder_and_a_dead_holder_frees_it(tmp_path):
    ws = tmp_path / "ws"
    with workspace_lock(ws, "skillpack create first"):
        proc = run_cli("create", "example", "--doc", str(DOC), "--workspace", str(ws))
        assert_one_line_error(proc.returncode, proc.stderr, "in use by `skillpack create first`")
        with pytest.raises(WorkspaceBusy), workspace_lock(ws, "in-process second"):
            pass
    # a holder killed with the lock held: the kernel released it, the next run takes it
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, pathlib; from skillpack.create.lock import "
         "workspace_lock as w; c = w(pathlib.Path(sys.argv[1]), 'doomed'); c.__enter__(); "
         "print('held', flush=True); sys.stdin.read()", str(ws)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(WorkspaceBusy), workspace_lock(ws, "too early"):
        pass
    holder.kill()
    holder.wait()
    with workspace_lock(ws, "after the holder died"):
        assert json.loads((ws / ".skillpack" / "lock").read_text())["command"].startswith("after")


def test_scratch_folders_of_killed_runs_are_swept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    left = tmp_path / ".skillpack" / "tmp" / f"{dead.stdout.strip()}-package-abc"
    (left / "stage").mkdir(parents=True)
    with scratch_dir(tmp_path, "package") as mine:
        assert mine.is_dir() and not left.exists()
    assert not mine.exists()
    assert sweep(tmp_path / ".skillpack" / "tmp") == []


def test_a_bad_name_gets_the_same_words_from_python_the_cli_and_mcp(capsys):
    from skillpack import mcp
    from skillpack.cli import main
    from skillpack.errors import InputError
    from skillpack.registry import get_tool

    data = {"source": "class"}
    with pytest.raises(InputError) as info:
        get_tool("validate_auth").call_json(data)
    python = [f"error: {info.value}", f"hint: {info.value.hint}"]
    assert main(["tool", "validate_auth", "--input", json.dumps(data)]) == 2
    cli = capsys.readouterr().err.splitlines()
    result = mcp.call("validate_auth", data)  # what the MCP server answers a tools/call with
    assert result.is_error
    assert python == cli == result.content[0].text.splitlines()
    assert "Python keyword" in python[0]


def test_a_doc_replaced_by_a_new_run_is_kept_first(tmp_path):
    ws = tmp_path / "ws"
    paths = source_paths("example", ws)
    paths.api_doc.parent.mkdir(parents=True)
    paths.api_doc.write_text(ORIGINAL)  # written by hand, no run yet
    proc = run_cli("create", "example", "--doc", str(DOC), "--workspace", str(ws),
                   "--until", "doc")  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert paths.api_doc.read_text() == DOC.read_text()
    (kept,) = (ws / ".skillpack" / "backup").glob("*/example_api_doc.md")
    assert kept.read_text() == ORIGINAL


def test_an_unreadable_state_needs_restart_and_is_kept(tmp_path):
    ws = tmp_path / "ws"
    paths = source_paths("example", ws)
    paths.state_file.parent.mkdir(parents=True)
    paths.state_file.write_text("{not json")
    proc = run_cli("create", "example", "--doc", str(DOC), "--workspace", str(ws))
    assert_one_line_error(proc.returncode, proc.stderr, "cannot read the run state")
    proc = run_cli("create", "example", "--doc", str(DOC), "--workspace", str(ws), "--restart",
                   "--until", "doc")  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    (kept,) = (ws / ".skillpack" / "backup").glob("*/example.state.json")
    assert kept.read_text() == "{not json"


def test_a_kill_while_a_stale_step_runs_again_does_not_revive_its_old_commit(tmp_path):
    ws = tmp_path / "ws"
    first = ["create", "example", "--workspace", str(ws), "--until", "spec"]
    assert run_cli(*first, "--doc", str(DOC)).returncode == 0
    paths = source_paths("example", ws)
    paths.api_doc.write_text(paths.api_doc.read_text() + "\n<!-- edited -->\n")
    killed = run_cli(*first, "--resume", env={"SKILLPACK_TEST_KILL_AT": "doc:ran"})
    assert killed.returncode == -9 and "doc            runs again" in killed.stderr
    again = run_cli(*first, "--resume")
    assert again.returncode == 0, again.stderr[-2000:]
    # the old commit did not count: the step ran again
    assert f"[1/{N}] doc            read the API doc" in again.stderr
    assert "passed earlier" not in again.stderr
    messages = [c.message.strip() for c in git.Repo(ws).iter_commits()]
    assert messages.count("create example: doc passed") == 2
