"""The review never comforts falsely: pending judgements that can sink a connector make the
band provisional, `na` is refused where a check always applies, and a check that raises is a
failure of the review, scored as a failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skillpack.create.demo import copy_bundled_workspace
from skillpack.errors import InputError
from skillpack.review._checks import CHECKS, run_check
from skillpack.review._rubric import load_rubric, score
from skillpack.tools import (
    GenerateConnectorSpecIn,
    ReviewConnectorIn,
    generate_connector_spec,
    review_connector,
)

RUBRIC = load_rubric()
JUDGEMENTS = [c for c in RUBRIC.checks if c.decided == "judgement"]


@pytest.fixture
def ws(tmp_path) -> Path:
    ws = copy_bundled_workspace(tmp_path / "ws")
    generate_connector_spec(GenerateConnectorSpecIn(source="example", workspace=str(ws)))
    return ws


def _answer(ws: Path, verdicts: dict) -> None:
    path = ws / "tests/sources/example/review_judgements.yaml"
    path.write_text(json.dumps(verdicts), encoding="utf-8")


def _review(ws: Path):
    return review_connector(ReviewConnectorIn(source="example", workspace=str(ws)))


def test_live_verification_pending_keeps_the_band_provisional_and_the_gate_shut(ws):
    everything_but_live = {
        c.id: {"verdict": "pass", "evidence": "checked by hand"}
        for c in JUDGEMENTS
        if c.id != "test.live-verified"
    }
    _answer(ws, everything_but_live)
    out = _review(ws)
    assert out.band_code == "READY" and out.provisional and not out.passed
    assert out.sinking_pending == ["test.live-verified"]
    assert out.band.startswith("READY (provisional: 1 judgement that can sink it pending")
    _answer(ws, {**everything_but_live, "test.live-verified": {"verdict": "pass", "evidence": "x"}})
    out = _review(ws)
    assert out.passed and not out.provisional and out.band == "READY"


def test_minor_judgements_pending_do_not_make_the_band_provisional(ws):
    _answer(
        ws,
        {c.id: {"verdict": "pass", "evidence": "seen"} for c in JUDGEMENTS if c.can_sink},
    )
    out = _review(ws)
    assert out.pending and not out.provisional and out.passed


@pytest.mark.parametrize("check_id", ["test.live-verified", "test.suite-passes"])
def test_na_is_refused_where_the_check_always_applies(ws, check_id):
    _answer(ws, {check_id: {"verdict": "na", "evidence": "no account"}})
    with pytest.raises(InputError) as err:
        _review(ws)
    assert err.value.code == "na-refused" and check_id in str(err.value)


def test_na_is_still_accepted_where_a_check_may_not_apply(ws):
    _answer(ws, {"impl.incremental-no-gaps": {"verdict": "na", "evidence": "snapshot only"}})
    out = _review(ws)
    assert next(c.status for c in out.checks if c.id == "impl.incremental-no-gaps") == "na"


def _crashes(ctx):
    raise KeyError("tables")


def test_a_check_that_raises_is_an_error_not_unchecked():
    outcome = run_check(_crashes, None)
    assert outcome.status == "error" and "KeyError" in outcome.reason


def test_an_error_scores_as_a_failure_and_a_blocker_error_sinks_the_band():
    base = [("BLOCKER", "pass"), ("MAJOR", "pass")]
    assert score(RUBRIC, base) == (100.0, "READY")
    assert score(RUBRIC, [*base, ("BLOCKER", "error")]) == score(
        RUBRIC, [*base, ("BLOCKER", "fail")]
    )
    assert score(RUBRIC, [*base, ("BLOCKER", "error")])[1] == "NOT READY"


def test_a_crashing_blocker_check_fails_the_review_and_says_so(ws, monkeypatch):
    # A check is a plug-in of the review: register one for a BLOCKER id that crashes.
    monkeypatch.setitem(CHECKS, "impl.module-parses", _crashes)
    _answer(ws, {c.id: {"verdict": "pass", "evidence": "seen"} for c in JUDGEMENTS})
    out = _review(ws)
    assert out.review_errors == ["impl.module-parses"] and not out.passed
    assert out.band_code == "NOT READY" and "review failed: 1 check raised" in out.band
    assert out.counts["error"] == 1 and out.counts["unchecked"] == 0
    (finding,) = [f for f in out.findings if f.check_id == "impl.module-parses"]
    assert "the review failed here" in finding.message
    assert "CHECK RAISED" in Path(out.report_path).read_text(encoding="utf-8")
