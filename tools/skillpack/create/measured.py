"""Verdicts on review judgements that the run itself measured, written before the review.

Some judgement checks ask for evidence the review cannot gather from the files alone but a
``create`` run has just produced: the suites passed offline (``test.suite-passes``) and
against the live source (``test.live-verified``), and the incremental-sync checks found no
record lost at a cursor boundary, offline and live (``impl.incremental-no-gaps``). Each is
answered ``pass`` only when every step it rests on passed in this run, with those steps'
own results as the evidence. A verdict already in the file (an agent's or a person's) is
never changed; the checks no step measures (type mapping, simulator fidelity, the doc
against the vendor's reference, ...) stay for an agent or a person to answer.
"""

from __future__ import annotations

import json

import yaml

from skillpack.create.state import RunState
from skillpack.layout import SourcePaths

#: judgement check -> the steps whose passing is its evidence
MEASURED_BY: dict[str, tuple[str, ...]] = {
    "test.suite-passes": ("test_simulate",),
    "test.live-verified": ("test_live",),
    "impl.incremental-no-gaps": ("sync_simulate", "sync_live"),
}


def measured_verdicts(state: RunState) -> dict[str, dict[str, str]]:
    """``{check id: {verdict, evidence}}`` for each check whose steps all passed."""
    verdicts: dict[str, dict[str, str]] = {}
    for check_id, step_names in MEASURED_BY.items():
        records = [state.step(name) for name in step_names]
        if not all(r.done for r in records):
            continue
        evidence = "; ".join(
            f"create step `{r.name}` passed ({r.message}) at commit {(r.commit or '')[:10]}"
            for r in records
        )
        verdicts[check_id] = {"verdict": "pass", "evidence": evidence}
    return verdicts


def record_measured_verdicts(paths: SourcePaths, state: RunState) -> list[str]:
    """Add the measured verdicts the judgements file lacks; the check ids added.

    A YAML file gets the new entries appended, so its comments and the verdicts already in it
    stay as written; a JSON file (``{`` first) is rewritten as JSON with them merged in.
    """
    target = paths.review_judgements
    text = target.read_text(encoding="utf-8") if target.is_file() else ""
    try:
        existing = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError:
        return []  # an unreadable file is the review's to report, not ours to replace
    if not isinstance(existing, dict):
        return []
    new = {k: v for k, v in measured_verdicts(state).items() if k not in existing}
    if not new:
        return []
    target.parent.mkdir(parents=True, exist_ok=True)
    if text.lstrip().startswith("{"):
        merged = {**existing, **new}
        target.write_text(json.dumps(merged, indent=2) + "\n", encoding="utf-8")
    else:
        block = yaml.safe_dump(new, sort_keys=False, allow_unicode=True, width=100)
        head = text if not text or text.endswith("\n") else text + "\n"
        if not text:
            head = "# Verdicts on the review's judgement checks (skills/review).\n"
        target.write_text(head + block, encoding="utf-8")
    return sorted(new)
