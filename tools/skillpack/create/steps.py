"""The steps of ``skillpack create``: what each one calls, how its input is built, its gate.

A step is one registered tool call and the output field it is gated on (the tool's own
``GATE``, unless the step names another field or is advice only); each agent file states the
same gate, and ``tests/test_gates.py`` holds the two together. The run itself, with its state,
lock and commits, is ``skillpack.create.orchestrator``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from skillpack.create.state import StepState
from skillpack.layout import SourcePaths
from skillpack.registry import get_tool


@dataclass
class Context:
    """What the steps need to build their tool inputs."""

    paths: SourcePaths
    doc: Path
    version: str = "0.1.0"
    #: connection values given on the command line (never written anywhere but the dev config)
    config_values: dict[str, Any] = field(default_factory=dict)
    config_env: dict[str, str] = field(default_factory=dict)
    timeout_s: float = 600.0
    #: in a Lakeflow checkout: test against its hand-curated simulator spec for this source
    #: instead of the one synthesised from the doc (an independent check of the generated code)
    simulator_source: str | None = None

    @property
    def source(self) -> dict[str, str]:
        return {"source": self.paths.name, "workspace": str(self.paths.root)}


Detail = Callable[[dict[str, Any]], str]
#: the inputs a step's result depends on; a change to one since it passed re-runs it
InputKind = Literal["doc", "spec", "config"]


@dataclass(frozen=True)
class Step:
    """One step: the tool it calls, how its input is built, and how its outcome is told.

    The gate is the tool's own (``get_tool(tool).gate``), so a step never passes what
    ``skillpack tool NAME`` calls a failure, unless the step names another output field in
    ``gate_field`` (as its agent file says) or is ``advisory``: its result is recorded and
    shown, never a stop (lint: advice for the doc's author).
    """

    name: str
    tool: str
    title: str
    build: Callable[[Context], dict[str, Any]]
    detail: Detail
    #: where an agent goes when the gate fails
    on_fail: str
    inputs: tuple[InputKind, ...] = ()
    gate_field: str | None = None
    advisory: bool = False

    @property
    def gate(self) -> str:
        """The output field the step is gated on."""
        return self.gate_field or get_tool(self.tool).gate or ""

    def passed(self, out: dict[str, Any]) -> bool:
        """Whether ``out`` lets the run go on past this step."""
        return self.advisory or bool(out.get(self.gate))


def _field(name: str) -> Detail:
    return lambda out: f"`{name}` is {out.get(name)!r}"


def _doc_detail(out: dict[str, Any]) -> str:
    tables = out.get("tables", [])
    unkeyed = [
        f"{t.get('name')} (line {t.get('line')})"
        for t in tables
        if not t.get("primary_keys") or "primary_keys" in t.get("inferred", [])
    ]
    no_cursor = [
        f"{t.get('name')} (line {t.get('line')})"
        for t in tables
        if t.get("ingestion_type") in ("cdc", "cdc_with_deletes")
        and (not t.get("cursor_field") or "cursor_field" in t.get("inferred", []))
    ]
    detail = f"{len(tables)} tables"
    if unkeyed:
        detail += f"; no primary key stated (missing or guessed): {', '.join(unkeyed)}"
    if no_cursor:
        detail += f"; incremental without a stated cursor field: {', '.join(no_cursor)}"
    return detail


def _suite_detail(out: dict[str, Any]) -> str:
    counts = out.get("counts", {})
    summary = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    causes = ", ".join(out.get("causes", []))
    spec = out.get("simulator_spec_origin")
    return summary + (f"; causes: {causes}" if causes else "") + (f"; spec: {spec}" if spec else "")


def _lint_detail(out: dict[str, Any]) -> str:
    errors = [f for f in out.get("findings", []) if f.get("severity") == "error"]
    shown = "; ".join(f"line {f.get('line')}: {f.get('message')}" for f in errors[:3])
    return f"{out.get('errors', 0)} errors" + (f": {shown}" if shown else "")


def _review_detail(out: dict[str, Any]) -> str:
    detail = f"score {out.get('score')}, band {out.get('band', '')}"
    if out.get("provisional"):
        detail += (
            f"; provisional: {len(out.get('sinking_pending', []))} judgement(s) that can "
            f"sink the connector are unanswered ({', '.join(out.get('sinking_pending', [])[:5])})"
        )
    return detail


def _implement_detail(out: dict[str, Any]) -> str:
    todo = out.get("todo", [])
    blocking = [t for t in todo if t.get("blocking")]
    shown = "; ".join(
        f"{t.get('table') or 'source'}: {t.get('what')}"
        + (f" (doc line {t.get('doc_line')})" if t.get("doc_line") else "")
        for t in blocking[:3]
    )
    return f"{len(todo)} parts to finish, {len(blocking)} blocking" + (
        f": {shown}" if shown else ""
    )


def _package_detail(out: dict[str, Any]) -> str:
    checks = out.get("checks", [])
    failed = [c.get("name") for c in checks if c.get("status") == "failed"]
    return f"{len(checks)} checks" + (f", failed: {failed}" if failed else "")


def _connect_detail(out: dict[str, Any]) -> str:
    if out.get("ok"):
        return f"{len(out.get('tables', []))} tables listed"
    return f"verdict `{out.get('verdict')}` at `{out.get('stage')}`: {out.get('detail')}"


def gate_reason(out: dict[str, Any]) -> dict[str, str]:
    """The tool's own account of a failed gate: verdict, fix and evidence, where it has them."""
    reason = {k: str(out[k]) for k in ("verdict", "stage", "fix", "detail") if out.get(k)}
    for test in out.get("tests") or []:
        diagnosis = test.get("diagnosis") if isinstance(test, dict) else None
        if diagnosis and test.get("outcome") in ("failed", "error", "timeout"):
            reason.setdefault("verdict", f"{test.get('name')}: {diagnosis.get('cause')}")
            reason.setdefault("fix", str(diagnosis.get("fix", "")))
            reason.setdefault("evidence", str(diagnosis.get("evidence", "")))
            break
    if out.get("output_tail") and not out.get("tests"):
        # the suite died before any test: pytest's last lines are the only evidence
        reason.setdefault("evidence", " | ".join(str(out["output_tail"]).splitlines()[-3:]))
    errors = [f for f in out.get("findings") or [] if f.get("severity") in ("error", "BLOCKER")]
    if errors:
        first = errors[0]
        reason.setdefault("evidence", f"line {first.get('line')}: {first.get('message')}")
    return {k: v for k, v in reason.items() if v}


def _sync_detail(out: dict[str, Any]) -> str:
    failed = [
        f"{t.get('table')}.{c.get('name')} ({c.get('code')})"
        for t in out.get("tables", [])
        for c in t.get("checks", [])
        if c.get("status") == "failed"
    ]
    detail = f"{len(out.get('tables', []))} tables, {out.get('skipped', 0)} checks skipped"
    return detail + (f"; failed: {', '.join(failed[:4])}" if failed else "")


def _write_back_detail(out: dict[str, Any]) -> str:
    if out.get("skipped"):
        return f"skipped: {out.get('reason')}"
    return f"{len(out.get('tables', []))} tables with write-back"


STEPS: tuple[Step, ...] = (
    Step("doc", "parse_api_doc", "read the API doc",
         lambda c: {"path": str(c.paths.api_doc)},
         _doc_detail,
         "rewrite the doc on the template so it names its tables "
         "(skills/implement/references/api-doc-template.md)", ("doc",), gate_field="tables"),
    Step("lint", "lint_api_doc", "lint the API doc (advice)",
         lambda c: {"path": str(c.paths.api_doc)}, _lint_detail,
         "fix each error finding in the doc, then resume", ("doc",), advisory=True),
    Step("spec", "generate_connector_spec", "write connector_spec.yaml",
         lambda c: {"path": str(c.paths.api_doc), **c.source}, _field("spec_path"),
         "fix the doc's authentication section, then resume", ("doc",)),
    Step("implement", "implement_connector", "generate the connector",
         lambda c: {"path": str(c.paths.api_doc), **c.source}, _implement_detail,
         "skills/implement: finish each blocking `todo` item, run `skillpack test NAME`, "
         "then resume", ("doc", "spec"), gate_field="ready_to_test"),
    Step("test_simulate", "run_suite", "generic suite, offline",
         lambda c: {**c.source, "mode": "simulate", "timeout_s": c.timeout_s}, _suite_detail,
         "skills/test-fix (simulate): fix the connector or simulator spec, then resume"),
    Step("sync_simulate", "validate_incremental_sync", "incremental sync, offline",
         lambda c: {**c.source, "mode": "simulate", "timeout_s": c.timeout_s}, _sync_detail,
         "skills/validate-incremental-sync: fix the connector at each `location`, then resume"),
    Step("auth", "write_credentials", "store the credentials (dev config, 0600)",
         lambda c: {**c.source, "values": c.config_values, "from_env": c.config_env},
         _field("complete"),
         "skills/auth-setup: ask the user to run `skillpack auth NAME`, then resume",
         ("spec", "config")),
    Step("connect", "validate_auth", "connect with the credentials",
         lambda c: {**c.source, "timeout_s": 60.0}, _connect_detail,
         "skills/auth-setup: fix what `verdict` and `fix` say, then resume", ("config",)),
    Step("record", "run_suite", "record a cassette from the live source",
         lambda c: {**c.source, "mode": "record", "timeout_s": c.timeout_s}, _suite_detail,
         "skills/test-fix (record): fix what the live source revealed, then resume",
         ("config",)),
    Step("write_back", "write_test_utils", "generate write-back utilities",
         lambda c: {**c.source, "path": str(c.paths.api_doc)}, _write_back_detail,
         "skills/write-back-testing", ("doc",)),
    Step("test_live", "run_suite", "generic + write-back suites, live",
         lambda c: {**c.source, "mode": "live", "timeout_s": c.timeout_s}, _suite_detail,
         "skills/test-fix (live), skills/write-back-testing: fix, then resume", ("config",)),
    Step("sync_live", "validate_incremental_sync", "incremental sync, live",
         lambda c: {**c.source, "mode": "live", "timeout_s": c.timeout_s}, _sync_detail,
         "skills/validate-incremental-sync: fix the connector at each `location`, then resume",
         ("config",)),
    Step("package", "package_connector", "build and verify the package",
         lambda c: {**c.source, "version": c.version}, _package_detail,
         "skills/packaging: fix the reported check, then resume"),
    Step("review", "review_connector", "score the connector",
         lambda c: c.source, _review_detail,
         "skills/review: fix the BLOCKER and MAJOR findings, answer the judgement checks "
         "(live verification among them), then resume"),
)  # fmt: skip

STEP_NAMES = tuple(s.name for s in STEPS)
#: steps that need the live source, so a person's credentials
NEEDS_PERSON = ("auth", "connect", "record", "test_live", "sync_live")


def _digest(path: Path) -> str:
    """A short content digest of ``path`` (``absent`` when there is no such file)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except FileNotFoundError:
        return "absent"


def input_digests(paths: SourcePaths) -> dict[InputKind, str]:
    """Digests of everything a step can depend on: the doc, the spec and the dev config."""
    return {
        "doc": _digest(paths.api_doc),
        "spec": _digest(paths.connector_spec),
        "config": _digest(paths.dev_config),
    }


def stale(step: Step, record: StepState, now: dict[InputKind, str]) -> str | None:
    """Why a step that passed earlier must run again, or ``None`` when it still holds."""
    if step.inputs and not record.inputs:
        return "its inputs were not recorded when it passed"
    changed = [k for k in step.inputs if record.inputs.get(k) != now[k]]
    if not changed:
        return None
    words = {"doc": "the API doc", "spec": "connector_spec.yaml", "config": "the dev config"}
    return " and ".join(words[k] for k in changed) + " changed since it passed"
