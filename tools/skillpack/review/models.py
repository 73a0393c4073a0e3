"""What a review produces: the score, the band, every check's outcome and the findings."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, Field

from skillpack.review._rubric import BandName, Decided, Severity, Status


class ReviewFinding(BaseModel):
    """One thing to fix: which check, where (path:line), what is wrong and how to fix it."""

    check_id: str = Field(description="Rubric id of the failed check.")
    severity: Severity = Field(description="BLOCKER, MAJOR or MINOR.")
    section: str = Field(description="Rubric section of the check.")
    title: str = Field(description="Short name of the check.")
    message: str = Field(description="What is wrong there.")
    fix: str = Field(description="How to fix it.")
    path: str | None = Field(None, description="File to change, relative to the workspace root.")
    line: int | None = Field(None, description="1-based line in that file.")
    citation: str = Field("", description="`path:line` (or `path`), empty when nowhere.")


class CheckResult(BaseModel):
    """How one rubric check came out."""

    id: str = Field(description="Rubric id.")
    section: str = Field(description="Rubric section.")
    severity: Severity = Field(description="BLOCKER, MAJOR or MINOR.")
    decided: Decided = Field(description="automatic or judgement.")
    title: str = Field(description="Short name of the check.")
    status: Status = Field(
        description="pass, fail, na (does not apply), pending (judgement not answered), "
        "unchecked (could not read what it needs) or error (the check raised: a failure of "
        "the review itself, scored as a failure)."
    )
    note: str = Field("", description="Why N/A or unchecked, what passed, or the evidence.")


class ReviewConnectorOut(BaseModel):
    """The review: score, band, findings (most severe first) and where the report went."""

    GATE: ClassVar[str] = "passed"

    source: str = Field(description="Source name.")
    layout: str = Field(description="Workspace layout: skillpack or upstream.")
    rubric_version: str = Field(description="Version of the rubric applied.")
    score: float = Field(description="0-100: earned points over the applicable maximum.")
    band: str = Field(
        description="READY, ALMOST, NEEDS WORK or NOT READY, with `(N judgements pending)` or "
        "`(provisional: ...)` when a judgement that can sink the connector is unanswered."
    )
    band_code: BandName = Field(description="The band alone.")
    provisional: bool = Field(
        description="True when a BLOCKER or MAJOR judgement (live verification among them) "
        "is pending: the band may still drop, so it cannot pass the gate."
    )
    sinking_pending: list[str] = Field(
        description="The pending judgements that can sink the connector (BLOCKER or MAJOR)."
    )
    review_errors: list[str] = Field(
        description="Checks that raised: the review itself failed there; fix the check or "
        "report it."
    )
    passed: bool = Field(
        description="The gate: band READY or ALMOST, not provisional, and no check raised."
    )
    blockers_failed: int = Field(description="Number of failed BLOCKER checks.")
    counts: dict[str, int] = Field(description="Number of checks per status.")
    pending: list[str] = Field(description="Judgement checks still waiting for a verdict.")
    findings: list[ReviewFinding] = Field(description="What to fix, most severe first.")
    checks: list[CheckResult] = Field(description="Every rubric check and how it came out.")
    report_path: str = Field(description="Path of the written SELF_REVIEW.md.")
    judgements_path: str | None = Field(None, description="Judgements file folded in, if any.")
