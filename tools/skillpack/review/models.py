"""What a review produces: the score, the band, every check's outcome and the findings."""

from __future__ import annotations

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
        description="pass, fail, na (does not apply), pending (judgement not answered) or "
        "unchecked (could not read what it needs)."
    )
    note: str = Field("", description="Why N/A or unchecked, what passed, or the evidence.")


class ReviewConnectorOut(BaseModel):
    """The review: score, band, findings (most severe first) and where the report went."""

    source: str = Field(description="Source name.")
    layout: str = Field(description="Workspace layout: skillpack or upstream.")
    rubric_version: str = Field(description="Version of the rubric applied.")
    score: float = Field(description="0-100: earned points over the applicable maximum.")
    band: str = Field(
        description="READY, ALMOST, NEEDS WORK or NOT READY, with `(N judgements pending)`."
    )
    band_code: BandName = Field(description="The band alone.")
    passed: bool = Field(description="True when the band is READY or ALMOST (the gate).")
    blockers_failed: int = Field(description="Number of failed BLOCKER checks.")
    counts: dict[str, int] = Field(description="Number of checks per status.")
    pending: list[str] = Field(description="Judgement checks still waiting for a verdict.")
    findings: list[ReviewFinding] = Field(description="What to fix, most severe first.")
    checks: list[CheckResult] = Field(description="Every rubric check and how it came out.")
    report_path: str = Field(description="Path of the written SELF_REVIEW.md.")
    judgements_path: str | None = Field(None, description="Judgements file folded in, if any.")
