"""The review rubric (``skillpack/review/rubric.yaml``) as typed data, and its scoring.

The rubric is data: checks, their severities and weights live in the YAML file, so changing
what is reviewed never means changing the scoring code. :func:`score` applies it::

    rubric = load_rubric()
    points, band = score(rubric, [("BLOCKER", "pass"), ("MINOR", "fail"), ("MAJOR", "na")])
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

RUBRIC_PATH = Path(__file__).resolve().parent / "rubric.yaml"

Severity = Literal["BLOCKER", "MAJOR", "MINOR"]
Decided = Literal["automatic", "judgement"]
Status = Literal["pass", "fail", "na", "pending", "unchecked", "error"]
BandName = Literal["READY", "ALMOST", "NEEDS WORK", "NOT READY"]

SEVERITIES: tuple[Severity, ...] = ("BLOCKER", "MAJOR", "MINOR")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Weight(_Frozen):
    """Points for one severity."""

    pass_: int = Field(alias="pass", description="Points earned when a check passes.")
    fail: int = Field(description="Points (negative) when a check fails.")


class Band(_Frozen):
    """A band and the lowest score that reaches it."""

    name: BandName = Field(description="Band name.")
    min: float = Field(description="Lowest score in the band.")


class Scoring(_Frozen):
    """Weights per severity and the bands."""

    weights: dict[Severity, Weight] = Field(description="Points per severity.")
    bands: list[Band] = Field(description="Bands, highest first.")
    blocker_band: BandName = Field(description="Band whenever a BLOCKER check failed.")


class Section(_Frozen):
    """A section of the rubric and the id prefix of its checks."""

    id: str = Field(description="Section id.")
    prefix: str = Field(description="Prefix of its check ids (`impl` in `impl.x`).")
    title: str = Field(description="Heading in the report.")


class Check(_Frozen):
    """One check of the rubric."""

    id: str = Field(description="Stable id, `PREFIX.slug`.")
    section: str = Field(description="Section id.")
    severity: Severity = Field(description="BLOCKER, MAJOR or MINOR.")
    decided: Decided = Field(description="automatic (by the tool) or judgement (by the agent).")
    title: str = Field(description="Short name shown in the report.")
    passing: str = Field(description="What passing means.")
    fix: str = Field(description="How to fix a failure.")
    na_allowed: bool = Field(
        True, description="False when the check applies to every connector: `na` is refused."
    )

    @property
    def can_sink(self) -> bool:
        """Whether failing it alone can take a connector out of READY and ALMOST."""
        return self.severity in ("BLOCKER", "MAJOR")


class Rubric(_Frozen):
    """The whole rubric."""

    version: str = Field(description="Rubric version; bumped when checks change.")
    scoring: Scoring = Field(description="Weights and bands.")
    sections: list[Section] = Field(description="Sections in report order.")
    checks: list[Check] = Field(description="Checks in report order.")

    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        prefixes = {s.id: s.prefix for s in self.sections}
        seen: set[str] = set()
        for c in self.checks:
            if c.id in seen:
                raise ValueError(f"check `{c.id}` is listed twice")
            seen.add(c.id)
            if c.section not in prefixes:
                raise ValueError(f"check `{c.id}` names unknown section `{c.section}`")
            if not c.id.startswith(prefixes[c.section] + "."):
                raise ValueError(f"check `{c.id}` must start with `{prefixes[c.section]}.`")
        if set(self.scoring.weights) != set(SEVERITIES):
            raise ValueError("scoring.weights needs exactly BLOCKER, MAJOR and MINOR")
        return self

    def by_id(self) -> dict[str, Check]:
        """Checks keyed by id."""
        return {c.id: c for c in self.checks}

    def section(self, section_id: str) -> Section:
        """The section ``section_id``."""
        return next(s for s in self.sections if s.id == section_id)


@cache
def load_rubric(path: Path = RUBRIC_PATH) -> Rubric:
    """The rubric shipped in the package (or the one at ``path``)."""
    return Rubric.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def score(rubric: Rubric, outcomes: list[tuple[Severity, Status]]) -> tuple[float, BandName]:
    """The score (0-100, one decimal) and band for ``(severity, status)`` pairs.

    Only passed and failed checks count: N/A, unchecked and pending ones leave the maximum.
    A check that raised (``error``) counts as failed: a crash must never lift the score.
    Any failed BLOCKER puts the connector in the blocker band whatever its score.
    """
    weights = rubric.scoring.weights
    earned = 0
    maximum = 0
    blocked = False
    for severity, status in outcomes:
        if status not in ("pass", "fail", "error"):
            continue
        maximum += weights[severity].pass_
        if status == "pass":
            earned += weights[severity].pass_
        else:
            earned += weights[severity].fail
            blocked = blocked or severity == "BLOCKER"
    value = round(max(0.0, 100.0 * earned / maximum), 1) if maximum else 0.0
    if blocked or not maximum:
        return value, rubric.scoring.blocker_band
    band = next(b.name for b in rubric.scoring.bands if value >= b.min)
    return value, band
