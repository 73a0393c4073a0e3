"""The run answers only the judgements its own passed steps measured, and keeps every other."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from skillpack.create.measured import MEASURED_BY, measured_verdicts, record_measured_verdicts
from skillpack.create.state import RunState
from skillpack.create.steps import STEP_NAMES
from skillpack.layout import source_paths
from skillpack.review._judgements import load_judgements
from skillpack.review._rubric import load_rubric


def _state(*passed: str) -> RunState:
    state = RunState.fresh("shop", "doc.md", STEP_NAMES)
    for name in passed:
        record = state.step(name)
        record.status, record.commit, record.message = "passed", "a" * 40, f"{name} result"
    return state


def test_a_check_is_answered_only_when_every_step_it_rests_on_passed():
    verdicts = measured_verdicts(_state("test_simulate", "sync_simulate", "test_live"))
    # sync_live did not pass, so the incremental check stays open
    assert sorted(verdicts) == ["test.live-verified", "test.suite-passes"]
    assert verdicts["test.suite-passes"]["verdict"] == "pass"
    assert (
        "`test_simulate` passed (test_simulate result)"
        in (verdicts["test.suite-passes"]["evidence"])
    )
    assert measured_verdicts(_state()) == {}


def test_measured_checks_are_judgement_checks_the_review_accepts(tmp_path):
    paths = source_paths("shop", tmp_path)
    added = record_measured_verdicts(paths, _state(*STEP_NAMES))
    assert added == sorted(MEASURED_BY)
    loaded = load_judgements(paths.review_judgements, load_rubric())
    assert sorted(loaded) == sorted(MEASURED_BY)


def test_a_persons_yaml_verdicts_and_comments_stay_as_written(tmp_path):
    paths = source_paths("shop", tmp_path)
    paths.review_judgements.parent.mkdir(parents=True)
    mine = (
        "# checked by hand against the staging account\n"
        "test.live-verified:\n  verdict: fail\n  evidence: 'orders 401 on staging'\n"
    )
    paths.review_judgements.write_text(mine, encoding="utf-8")
    added = record_measured_verdicts(paths, _state(*STEP_NAMES))
    text = paths.review_judgements.read_text(encoding="utf-8")
    assert text.startswith(mine)
    assert added == ["impl.incremental-no-gaps", "test.suite-passes"]
    assert yaml.safe_load(text)["test.live-verified"]["verdict"] == "fail"
    assert record_measured_verdicts(paths, _state(*STEP_NAMES)) == []  # nothing twice
    assert paths.review_judgements.read_text(encoding="utf-8") == text


def test_a_json_file_stays_json_with_its_verdicts(tmp_path):
    paths = source_paths("shop", tmp_path)
    paths.review_judgements.parent.mkdir(parents=True)
    mine = {"impl.type-mapping": {"verdict": "pass", "evidence": "types checked"}}
    paths.review_judgements.write_text(json.dumps(mine), encoding="utf-8")
    record_measured_verdicts(paths, _state(*STEP_NAMES))
    data = json.loads(paths.review_judgements.read_text(encoding="utf-8"))
    assert data["impl.type-mapping"] == mine["impl.type-mapping"]
    assert set(MEASURED_BY) <= set(data)


def test_an_unreadable_file_is_left_for_the_review_to_report(tmp_path):
    paths = source_paths("shop", tmp_path)
    paths.review_judgements.parent.mkdir(parents=True)
    paths.review_judgements.write_text("a: [unclosed", encoding="utf-8")
    assert record_measured_verdicts(paths, _state(*STEP_NAMES)) == []
    assert paths.review_judgements.read_text(encoding="utf-8") == "a: [unclosed"


@pytest.mark.e2e
def test_the_demo_runs_to_the_judgements_a_person_gives_and_exits_0(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "skillpack", "demo", "--workspace", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "13/14 steps passed" in done.stdout and "band READY" in done.stdout
    assert "left for an agent or a person" in done.stdout
    assert "impl.type-mapping" in done.stdout and "--resume" in done.stdout
    judgements = source_paths("example", tmp_path / "workspace").review_judgements
    assert sorted(yaml.safe_load(judgements.read_text(encoding="utf-8"))) == sorted(MEASURED_BY)
