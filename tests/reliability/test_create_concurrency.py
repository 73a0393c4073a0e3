"""One writer per workspace: concurrent `skillpack create` runs, same and different names.

The winner is held at its first step (test hook ``SKILLPACK_TEST_PAUSE_AT``, released by a
line on its stdin) while the others try the workspace, so exactly the extra runs are
refused whatever the scheduling; a last test lets four runs race with no hold at all.
"""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

import pytest

from tests.reliability._cli import DOC, assert_one_line_error, assert_valid_history, skillpack_cmd

pytestmark = pytest.mark.e2e


def _start(workspace: Path, name: str, hold: bool) -> subprocess.Popen:
    env = {**os.environ, "SKILLPACK_TEST_PAUSE_AT": "doc:start" if hold else ""}
    cmd = skillpack_cmd("create", name, "--doc", str(DOC), "--workspace", str(workspace),
                        "--until", "spec")  # fmt: skip
    return subprocess.Popen(
        cmd,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _race(workspace: Path, names: list[str]) -> tuple[list[tuple[str, int, str]], str, int]:
    """Start one run per name at once; the refused ones, then the holder's name and exit."""
    procs = {_start(workspace, name, hold=True): name for name in names}
    refused = []
    with ThreadPoolExecutor(len(procs)) as pool:
        futures = {pool.submit(p.wait, 120): p for p in procs}
        pending = set(futures)
        while len(refused) < len(procs) - 1:
            done, pending = wait(pending, timeout=120, return_when=FIRST_COMPLETED)
            assert done, "the runs neither finished nor were refused"
            for f in done:
                p = futures[f]
                _, err = p.communicate()
                refused.append((procs[p], p.returncode, err))
        (holder,) = [futures[f] for f in pending]
        _, err = holder.communicate(input="\n", timeout=120)
    assert holder.returncode == 0, err[-2000:]
    return refused, procs[holder], holder.returncode


@pytest.mark.parametrize(
    "names",
    [
        ["example", "example"],
        ["example", "other"],
        ["example", "example", "example", "example"],
        ["example", "other", "third", "fourth"],
    ],
    ids=["2-same", "2-different", "4-same", "4-different"],
)
def test_concurrent_creates_refuse_exactly_the_extra_runs(tmp_path, names):
    workspace = tmp_path / "ws"
    refused, winner, _ = _race(workspace, names)
    assert len(refused) == len(names) - 1
    for _name, code, err in refused:
        assert_one_line_error(code, err, "is in use by `skillpack create")
        assert f"`skillpack create {winner}`" in err and "pid " in err
    commits = assert_valid_history(workspace)
    assert [m for m, _ in commits] == [
        f"create {winner}: {s} passed" for s in ("doc", "lint", "spec")
    ]
    # the refused runs wrote nothing: no doc, no state
    made = {p.name for p in (workspace / "sources").iterdir()}
    assert made == {winner}
    states = sorted(p.name for p in (workspace / ".skillpack").glob("*.state.json"))
    assert states == [f"{winner}.state.json"]
    state = json.loads((workspace / ".skillpack" / f"{winner}.state.json").read_text())
    assert all(s["commit"] for s in state["steps"][:3])


def test_four_unheld_runs_racing_leave_a_valid_history(tmp_path):
    workspace = tmp_path / "ws"
    names = ["example", "other", "third", "fourth"]
    procs = [_start(workspace, name, hold=False) for name in names]
    results = []
    for name, proc in zip(names, procs, strict=True):
        out, err = proc.communicate(timeout=300)
        results.append((name, proc.returncode, out, err))
    winners = [name for name, code, _, _ in results if code == 0]
    assert winners, results
    for name, code, _out, err in results:
        if code != 0:
            assert_one_line_error(code, err, "is in use by")
            assert not (workspace / "sources" / name).exists()
    commits = assert_valid_history(workspace)
    assert len(commits) == 3 * len(winners)
    for name in winners:
        assert [m for m, _ in commits if m.startswith(f"create {name}:")] == [
            f"create {name}: {s} passed" for s in ("doc", "lint", "spec")
        ]
