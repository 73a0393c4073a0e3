"""review_connector: audit a finished connector against the rubric and write SELF_REVIEW.md."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from pydantic import Field

from skillpack.errors import InputError
from skillpack.inputs import SourceArgs
from skillpack.registry import tool
from skillpack.review import (  # noqa: F401 - importing the check modules registers the checks
    _artifacts,
    _consistency,
    _impl,
    _security,
    _testing,
)
from skillpack.review._checks import CHECKS, run_check
from skillpack.review._context import ReviewContext
from skillpack.review._judgements import Verdict, load_judgements
from skillpack.review._render import render_report
from skillpack.review._rubric import (
    SEVERITIES,
    BandName,
    Check,
    Status,
    load_rubric,
    score,
)
from skillpack.review.models import CheckResult, ReviewConnectorOut, ReviewFinding

#: bands that let a connector move on to packaging
PASSING_BANDS: tuple[BandName, ...] = ("READY", "ALMOST")


class ReviewConnectorIn(SourceArgs):
    """Input of ``review_connector``: the source, and optionally a judgements file."""

    judgements: str | None = Field(
        None,
        description="YAML or JSON file of verdicts on the judgement checks (check id -> "
        "{verdict: pass|fail|na, evidence}); default: review_judgements.yaml beside the "
        "report, when it exists.",
    )


def _judgements(
    inp: ReviewConnectorIn, ctx: ReviewContext
) -> tuple[dict[str, Verdict], Path | None]:
    rubric = load_rubric()
    if inp.judgements is not None:
        path = Path(inp.judgements).expanduser()
        return load_judgements(path, rubric), path
    default = ctx.paths.review_judgements
    if default.is_file():
        return load_judgements(default, rubric), default
    return {}, None


def _evaluate(
    check: Check, ctx: ReviewContext, verdicts: dict[str, Verdict]
) -> tuple[CheckResult, list[ReviewFinding]]:
    def result(status: Status, note: str) -> CheckResult:
        return CheckResult(
            id=check.id,
            section=check.section,
            severity=check.severity,
            decided=check.decided,
            title=check.title,
            status=status,
            note=note,
        )

    def finding(message: str, fix: str, path: Path | str | None, line: int | None) -> ReviewFinding:
        rel = ctx.rel(path) if isinstance(path, Path) else path
        citation = f"{rel}:{line}" if rel and line else (rel or "")
        return ReviewFinding(
            check_id=check.id,
            severity=check.severity,
            section=check.section,
            title=check.title,
            message=message,
            fix=fix,
            path=rel,
            line=line if rel else None,
            citation=citation,
        )

    if check.decided == "judgement":
        verdict = verdicts.get(check.id)
        if verdict is None:
            return result("pending", "waiting for a verdict"), []
        found = []
        if verdict.verdict == "fail":
            found.append(finding(verdict.evidence, check.fix, verdict.path, verdict.line))
        return result(verdict.verdict, verdict.evidence), found
    fn = CHECKS.get(check.id)
    if fn is None:
        return result("unchecked", "no automatic implementation for this check"), []
    outcome = run_check(fn, ctx)
    found = [
        finding(_local(h.message, ctx), h.fix or check.fix, h.path, h.line) for h in outcome.hits
    ]
    note = _local(outcome.reason, ctx)
    if outcome.status == "error":
        found = [
            finding(
                f"the review failed here: {note}",
                "the check crashed, so this connector was not judged on it; fix the check "
                "(or report it) and review again",
                None,
                None,
            )
        ]
    if outcome.status == "fail":
        note = f"{len(found)} finding{'s' if len(found) != 1 else ''}"
    return result(outcome.status, note), found


def _local(text: str, ctx: ReviewContext) -> str:
    """``text`` without the workspace's absolute path, so reports do not depend on it."""
    return text.replace(str(ctx.paths.root) + os.sep, "").replace(str(ctx.paths.root), ".")


def _severity_rank(finding: ReviewFinding) -> int:
    return SEVERITIES.index(finding.severity)


@tool
def review_connector(inp: ReviewConnectorIn) -> ReviewConnectorOut:
    """Score a finished connector against the review rubric and write SELF_REVIEW.md.

    Run it last, before packaging. It only reads the connector, its docs, specs, tests and
    cassettes (with ast and markdown-it-py, never importing or running them) and writes one
    file, SELF_REVIEW.md beside the source's tests. Judgement checks stay pending until their
    verdicts are written to review_judgements.yaml beside the report; run it again to fold
    them in. The gate is ``passed``: band READY or ALMOST, no failed BLOCKER, no check that
    raised, and no pending BLOCKER or MAJOR judgement (live verification among them): until
    those are answered the band is provisional.
    """
    paths = inp.paths()
    if not paths.source_dir.is_dir():
        raise InputError(
            f"no source folder for `{paths.name}` at `{paths.source_dir}`",
            hint="pass the workspace holding sources/NAME (or source_dir)",
            code="no-source",
        )
    rubric = load_rubric()
    ctx = ReviewContext(paths)
    verdicts, judgements_path = _judgements(inp, ctx)
    results: list[CheckResult] = []
    findings: list[ReviewFinding] = []
    order = {c.id: i for i, c in enumerate(rubric.checks)}
    for check in rubric.checks:
        res, found = _evaluate(check, ctx, verdicts)
        results.append(res)
        findings += found
    findings.sort(
        key=lambda f: (_severity_rank(f), order[f.check_id], f.path or "", f.line or 0, f.message)
    )
    value, band_code = score(rubric, [(r.severity, r.status) for r in results])
    pending = [r.id for r in results if r.status == "pending"]
    by_id = rubric.by_id()
    sinking = [cid for cid in pending if by_id[cid].can_sink]
    errors = [r.id for r in results if r.status == "error"]
    band = band_code + (
        f" ({len(pending)} judgement{'s' if len(pending) != 1 else ''} pending)" if pending else ""
    )
    if sinking and band_code in PASSING_BANDS:
        band = (
            f"{band_code} (provisional: {len(sinking)} judgement"
            f"{'s' if len(sinking) != 1 else ''} that can sink it pending, "
            f"{len(pending)} in all)"
        )
    if errors:
        band += f" (review failed: {len(errors)} check{'s' if len(errors) != 1 else ''} raised)"
    counts = Counter(r.status for r in results)
    report = paths.self_review
    out = ReviewConnectorOut(
        source=paths.name,
        layout=paths.layout,
        rubric_version=rubric.version,
        score=value,
        band=band,
        band_code=band_code,
        provisional=bool(sinking),
        sinking_pending=sinking,
        review_errors=errors,
        passed=band_code in PASSING_BANDS and not sinking and not errors,
        blockers_failed=sum(1 for r in results if r.status == "fail" and r.severity == "BLOCKER"),
        counts={
            k: counts.get(k, 0) for k in ("pass", "fail", "na", "pending", "unchecked", "error")
        },
        pending=pending,
        findings=findings,
        checks=results,
        report_path=str(report),
        judgements_path=str(judgements_path) if judgements_path else None,
    )
    text = render_report(
        out,
        rubric,
        root=paths.root,
        report_dir=report.parent,
        source_dir=ctx.rel(paths.source_dir),
        judgements=ctx.rel(paths.review_judgements),
    )
    if not (report.is_file() and report.read_text(encoding="utf-8") == text):
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(text, encoding="utf-8")
    return out
