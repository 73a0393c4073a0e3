"""The review rubric: its data is complete and consistent with the checks, and scoring follows
the weights and bands it declares."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from skillpack.review._checks import CHECKS
from skillpack.review._rubric import RUBRIC_PATH, load_rubric, score
from skillpack.tools import review_connector  # noqa: F401 - registers every review check

RUBRIC = load_rubric()


def test_rubric_has_at_least_50_checks_in_the_five_sections():
    assert len(RUBRIC.checks) >= 50
    assert [s.id for s in RUBRIC.sections] == [
        "implementation",
        "testing",
        "artifacts",
        "security",
        "consistency",
    ]
    for section in RUBRIC.sections:
        assert any(c.section == section.id for c in RUBRIC.checks), section.id


def test_every_check_says_what_passing_means_and_how_to_fix():
    for c in RUBRIC.checks:
        assert c.title and c.passing.strip() and c.fix.strip(), c.id
        assert c.severity in ("BLOCKER", "MAJOR", "MINOR")
        assert c.decided in ("automatic", "judgement")


def test_automatic_checks_and_implementations_match_one_to_one():
    automatic = {c.id for c in RUBRIC.checks if c.decided == "automatic"}
    assert automatic == set(CHECKS)
    assert any(c.decided == "judgement" for c in RUBRIC.checks)


def test_weights_and_bands_are_the_documented_ones():
    weights = {k: (w.pass_, w.fail) for k, w in RUBRIC.scoring.weights.items()}
    assert weights == {"BLOCKER": (3, -10), "MAJOR": (2, -3), "MINOR": (1, -1)}
    assert [(b.name, b.min) for b in RUBRIC.scoring.bands] == [
        ("READY", 90),
        ("ALMOST", 75),
        ("NEEDS WORK", 50),
        ("NOT READY", 0),
    ]


def test_score_counts_only_passed_and_failed_checks():
    assert score(RUBRIC, [("MAJOR", "pass"), ("MINOR", "pass")]) == (100.0, "READY")
    # N/A, pending and unchecked leave the maximum untouched
    others = [("BLOCKER", "na"), ("MAJOR", "pending"), ("MINOR", "unchecked")]
    assert score(RUBRIC, [("MAJOR", "pass"), *others]) == (100.0, "READY")


def test_score_applies_penalties_and_clamps_at_zero():
    # earned 3*3 + 2*2 - 1 = 12 of 3*3 + 2*2 + 1 = 14 -> 85.7
    outcomes = [("BLOCKER", "pass")] * 3 + [("MAJOR", "pass")] * 2 + [("MINOR", "fail")]
    assert score(RUBRIC, outcomes) == (85.7, "ALMOST")
    assert score(RUBRIC, [("MAJOR", "fail"), ("MINOR", "pass")]) == (0.0, "NOT READY")


@pytest.mark.parametrize(
    ("passes", "fails", "band"),
    [
        (9, 0, "READY"),  # 100
        (19, 1, "READY"),  # (19 - 1) / 20 = 90
        (18, 1, "ALMOST"),  # 17 / 19 = 89.5
        (7, 1, "ALMOST"),  # 6 / 8 = 75
        (6, 1, "NEEDS WORK"),  # 5 / 7 = 71.4
        (3, 1, "NEEDS WORK"),  # 2 / 4 = 50
        (2, 1, "NOT READY"),  # 1 / 3 = 33.3
    ],
)
def test_bands_follow_the_thresholds(passes, fails, band):
    outcomes = [("MINOR", "pass")] * passes + [("MINOR", "fail")] * fails
    assert score(RUBRIC, outcomes)[1] == band


def test_a_failed_blocker_means_not_ready_whatever_the_score():
    outcomes = [("MAJOR", "pass")] * 200 + [("BLOCKER", "fail")]
    value, band = score(RUBRIC, outcomes)
    assert value > 90 and band == "NOT READY"


def test_nothing_applicable_scores_zero_and_not_ready():
    assert score(RUBRIC, [("MAJOR", "na"), ("MINOR", "pending")]) == (0.0, "NOT READY")


def _variant(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(RUBRIC_PATH.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "rubric.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["checks"].append(dict(d["checks"][0])), "listed twice"),
        (lambda d: d["checks"][0].update(section="elsewhere"), "unknown section"),
        (lambda d: d["checks"][0].update(id="test.misfiled"), "must start with `impl.`"),
        (lambda d: d["checks"][0].update(severity="CRITICAL"), "severity"),
    ],
)
def test_a_malformed_rubric_is_rejected(tmp_path, change, message):
    with pytest.raises(ValidationError, match=message):
        load_rubric(_variant(tmp_path, change))


def test_the_review_skill_explains_every_judgement_check():
    reference = Path(__file__).resolve().parents[2] / "skills/review/references/judgements.md"
    text = reference.read_text(encoding="utf-8")
    missing = [c.id for c in RUBRIC.checks if c.decided == "judgement" and f"`{c.id}`" not in text]
    assert missing == []
