"""SELF_REVIEW.md: the review's result rendered from a template, byte-for-byte repeatable.

No timestamps and no absolute paths: paths are relative to the workspace root, links are
relative to the report's own folder, and everything is listed in rubric order.
"""

from __future__ import annotations

import os
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

from skillpack.review._rubric import SEVERITIES, Rubric

if TYPE_CHECKING:
    from skillpack.review.models import CheckResult, ReviewConnectorOut, ReviewFinding

TEMPLATE = Template(
    """\
# Self-review: `$source`

<!-- Written by `skillpack review`; run it again instead of editing this file. -->

- **Score:** $score / 100
- **Band:** $band
- **Checks:** $counts
- **Failed by severity:** $failed
- **Rubric:** v$version ($total checks)
- **Source folder:** `$source_dir` ($layout layout)

## Findings

$findings

## Judgements pending

$pending

## Could not check

$unchecked

$sections"""
)

_STATUS_WORDS = {
    "pass": "pass",
    "fail": "**FAIL**",
    "na": "n/a",
    "pending": "pending",
    "unchecked": "not checked",
    "error": "**CHECK RAISED**",
}


def cell(text: str) -> str:
    """``text`` made safe for one Markdown table cell."""
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")


def citation_link(finding: ReviewFinding, root: Path, report_dir: Path) -> str:
    """A Markdown link to where ``finding`` points, relative to the report's folder."""
    if not finding.path:
        return "—"
    target = os.path.relpath(root / finding.path, report_dir).replace(os.sep, "/")
    if finding.line:
        return f"[{cell(finding.path)}:{finding.line}]({target}#L{finding.line})"
    return f"[{cell(finding.path)}]({target})"


def _findings(out: ReviewConnectorOut, root: Path, report_dir: Path) -> str:
    if not out.findings:
        return "No findings."
    rows = [
        "Most severe first. Each row links to the place to change.",
        "",
        "| # | Severity | Check | Where | What is wrong | How to fix |",
        "|---|---|---|---|---|---|",
    ]
    for i, f in enumerate(out.findings, 1):
        rows.append(
            f"| {i} | {f.severity} | `{f.check_id}` | {citation_link(f, root, report_dir)} "
            f"| {cell(f.message)} | {cell(f.fix)} |"
        )
    return "\n".join(rows)


def _pending(out: ReviewConnectorOut, rubric: Rubric, judgements: str) -> str:
    pending = [c for c in out.checks if c.status == "pending"]
    if not pending:
        return "None: every judgement check has a verdict."
    by_id = rubric.by_id()
    rows = [
        f"Write a verdict with evidence for each in `{judgements}`, then run the review "
        "again; until then they are left out of the score.",
        "",
        "| Check | Severity | What passing means |",
        "|---|---|---|",
    ]
    rows += [f"| `{c.id}` | {c.severity} | {cell(by_id[c.id].passing)} |" for c in pending]
    return "\n".join(rows)


def _unchecked(out: ReviewConnectorOut) -> str:
    rows = [c for c in out.checks if c.status == "unchecked"]
    if not rows:
        return "Nothing: every automatic check could read what it needed."
    lines = [
        "These checks could not read what they need; they are left out of the score.",
        "",
        "| Check | Severity | Why |",
        "|---|---|---|",
    ]
    lines += [f"| `{c.id}` | {c.severity} | {cell(c.note)} |" for c in rows]
    return "\n".join(lines)


def _section(title: str, results: list[CheckResult]) -> str:
    lines = [
        f"## {title}",
        "",
        "| Check | Title | Severity | Decided | Result | Notes |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| `{c.id}` | {cell(c.title)} | {c.severity} | {c.decided} "
        f"| {_STATUS_WORDS[c.status]} | {cell(c.note)} |"
        for c in results
    ]
    return "\n".join(lines)


def render_report(
    out: ReviewConnectorOut,
    rubric: Rubric,
    *,
    root: Path,
    report_dir: Path,
    source_dir: str,
    judgements: str,
) -> str:
    """The Markdown text of SELF_REVIEW.md for the review result ``out``."""
    counts = out.counts
    failed = {s: 0 for s in SEVERITIES}
    for c in out.checks:
        if c.status == "fail":
            failed[c.severity] += 1
    sections = "\n\n".join(
        _section(s.title, [c for c in out.checks if c.section == s.id]) for s in rubric.sections
    )
    return (
        TEMPLATE.substitute(
            source=out.source,
            score=f"{out.score:.1f}",
            band=out.band,
            counts=(
                f"{counts.get('pass', 0)} passed, {counts.get('fail', 0)} failed, "
                f"{counts.get('na', 0)} not applicable, {counts.get('pending', 0)} pending, "
                f"{counts.get('unchecked', 0)} not checked"
            ),
            failed=", ".join(f"{s} {failed[s]}" for s in SEVERITIES),
            version=rubric.version,
            total=len(rubric.checks),
            source_dir=source_dir,
            layout=out.layout,
            findings=_findings(out, root, report_dir),
            pending=_pending(out, rubric, judgements),
            unchecked=_unchecked(out),
            sections=sections,
        ).rstrip("\n")
        + "\n"
    )
