"""``skillpack create``: build a connector one verified step at a time.

Each step is one registered tool call followed by its gate: the field the tool's
output model names in ``GATE`` (the same field that makes ``skillpack tool NAME``
exit 1). A passed step is recorded in the workspace's state file and, with
git, committed, so a run can be resumed after the last passed step and every step
can be inspected or reverted. A failed gate stops the run with the diagnosis and
the command to resume; nothing moves past a failed gate.

    doc -> lint -> spec -> implement -> test_simulate -> sync_simulate   (offline)
        -> auth -> connect -> record -> write_back -> test_live -> sync_live  (the live source)
        -> package -> review

Everything up to ``test_simulate`` runs offline: the connector is generated with a simulator
spec synthesised from the doc and tested against it. Only then does the run pause for a
person to enter credentials. ``lint`` is advice: its findings are recorded, never a stop;
what the doc leaves open becomes the ``implement`` step's to-do list instead, and only a
blocking item (a stated fact the connector does not honour) stops the run there.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from skillpack.create.lock import workspace_lock
from skillpack.create.state import (
    IGNORED,
    RunState,
    StepState,
    backup,
    commit,
    commit_message,
    ensure_ignored,
    find_step_commit,
    head_commit,
    on_source_branch,
    replace_file,
)
from skillpack.errors import GateFailed, InputError, SkillpackError, known_values
from skillpack.layout import SourcePaths, echo, source_paths
from skillpack.registry import get_tool

__all__ = ["IGNORED", "STEPS", "STEP_NAMES", "RunState", "StepState", "context_for", "run_create"]

#: Test hooks, read only from the environment of a test run. ``SKILLPACK_TEST_KILL_AT=STEP:PHASE``
#: makes the run SIGKILL itself there, so tests prove a kill anywhere is recovered by
#: ``--resume``; ``SKILLPACK_TEST_PAUSE_AT=STEP:PHASE`` makes it wait for a line on stdin, so
#: tests hold the workspace lock while other runs try it. Phases: ``start`` (state says
#: running, tool not called), ``ran`` (tool done, nothing committed), ``committed`` (commit
#: made, state not yet updated).
KILL_HOOK_ENV = "SKILLPACK_TEST_KILL_AT"
PAUSE_HOOK_ENV = "SKILLPACK_TEST_PAUSE_AT"


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


def _stale(step: Step, record: StepState, now: dict[InputKind, str]) -> str | None:
    """Why a step that passed earlier must run again, or ``None`` when it still holds."""
    if step.inputs and not record.inputs:
        return "its inputs were not recorded when it passed"
    changed = [k for k in step.inputs if record.inputs.get(k) != now[k]]
    if not changed:
        return None
    words = {"doc": "the API doc", "spec": "connector_spec.yaml", "config": "the dev config"}
    return " and ".join(words[k] for k in changed) + " changed since it passed"


# ---------------------------------------------------------------------------- run


Reporter = Callable[[str], None]


def _artifacts(out: dict[str, Any]) -> list[str]:
    found = []
    for key in ("spec_path", "utils_file", "test_file", "report_path", "path"):
        if isinstance(out.get(key), str):
            found.append(out[key])
    for key in ("files_written", "artifacts", "cassettes"):
        for item in out.get(key) or []:
            found.append(item if isinstance(item, str) else str(item.get("path", item)))
    return found[:20]


def _test_hook(step: str, phase: str) -> None:
    """Pause or SIGKILL this process at ``step``:``phase`` when a test hook asks for it."""
    here = f"{step}:{phase}"
    if os.environ.get(PAUSE_HOOK_ENV) == here:
        sys.stdin.readline()
    if os.environ.get(KILL_HOOK_ENV) == here:
        os.kill(os.getpid(), signal.SIGKILL)


#: where a Lakeflow checkout keeps its curated simulator specs
CHECKOUT_SPECS = Path("src/databricks/labs/community_connector/source_simulator/specs")


def use_simulator_source(test_file: Path, name: str) -> None:
    """Point the generated test class at the checkout's curated spec ``name`` (idempotent)."""
    lines = test_file.read_text(encoding="utf-8").splitlines(keepends=True)
    wanted = f'    simulator_source = "{name}"\n'
    lines = [ln for ln in lines if not ln.startswith("    simulator_source = ")]
    at = next(i for i, ln in enumerate(lines) if ln.startswith("    connector_class = "))
    lines.insert(at + 1, wanted)
    test_file.write_text("".join(lines), encoding="utf-8")


def _check_simulator_source(paths: SourcePaths, name: str) -> None:
    if paths.layout != "upstream":
        raise InputError(
            "`--simulator-source` needs a Lakeflow Community Connectors checkout as the "
            f"workspace; `{paths.root}` is not one",
            hint="pass --workspace PATH_TO_CHECKOUT, or leave --simulator-source out to test "
            "against the spec synthesised from the doc",
        )
    specs = paths.root / CHECKOUT_SPECS
    if not (specs / name / "endpoints.yaml").is_file():
        known = sorted(p.parent.name for p in specs.glob("*/endpoints.yaml"))
        raise InputError(
            known_values("simulator source", name, known or ["(none)"]),
            hint=f"the checkout's curated specs live in `{specs}`",
        )


def _mark_waiting(state: RunState) -> list[str]:
    """Mark the steps that need a person's credentials as waiting; their names."""
    names = []
    for name in NEEDS_PERSON:
        rec = state.step(name)
        if rec.status != "passed":
            rec.status, rec.message = "waiting", "waits for credentials from a person"
            names.append(name)
    return names


def _todo_entry(item: dict[str, Any]) -> dict[str, Any]:
    keys = ("table", "field", "doc_line", "what", "candidates", "blocking", "guessed")
    return {k: item.get(k) for k in keys if k in item}


def _todo_lines(todo: list[dict[str, Any]]) -> list[str]:
    """``orders.primary_keys (doc line 40): ...`` for each to-do."""
    out = []
    for t in todo:
        where = ".".join(x for x in (t.get("table"), t.get("field")) if x) or "source"
        line = f" (doc line {t['doc_line']})" if t.get("doc_line") else ""
        cands = t.get("candidates") or []
        seen = f" [candidates: {', '.join(cands[:5])}]" if cands else ""
        out.append(f"{where}{line}: {t.get('what', '')}{seen}")
    return out


def _check_doc(doc: Path) -> None:
    """Refuse a doc the first gate would refuse, before it replaces anything."""
    out = get_tool("parse_api_doc").call_json({"path": str(doc)})
    if not out.get("tables"):
        raise InputError(
            f"the API doc `{echo(doc)}` describes no table; nothing was changed",
            hint=STEPS[0].on_fail,
            code="doc-without-tables",
        )


def _prepare(ctx: Context, restart: bool) -> str:
    """Check the doc, back up what it or a restart replaces, put the doc in place.

    Returns a note naming the backup folder, if one was made.
    """
    api_doc, state_file = ctx.paths.api_doc, ctx.paths.state_file
    new_doc = ctx.doc.resolve() != api_doc.resolve()
    _check_doc(ctx.doc)
    replaced = (
        [api_doc]
        if new_doc and api_doc.is_file() and api_doc.read_bytes() != ctx.doc.read_bytes()
        else []
    )
    kept = [state_file] if restart and state_file.exists() else []
    note = ""
    if replaced or kept:
        folder = backup(ctx.paths.root, *kept, *replaced)
        note = f"kept a copy of {', '.join(f.name for f in kept + replaced)} in {folder}"
    if new_doc:
        replace_file(ctx.doc, api_doc)
    ensure_ignored(ctx.paths)
    branch = on_source_branch(ctx.paths)
    if branch:
        note = (note + "; " if note else "") + f"committing each step on branch `{branch}`"
    return note


def _start(ctx: Context, resume: bool, restart: bool, say: Reporter) -> RunState:
    """The state to run from: the saved one to resume, else a fresh one (never over work)."""
    state_path = ctx.paths.state_file
    name, root = ctx.paths.name, ctx.paths.root
    if resume and restart:
        raise InputError("--resume and --restart exclude each other", hint="pick one")
    if resume:
        if not state_path.exists():
            raise InputError(
                f"nothing to resume: `{state_path}` does not exist",
                hint="run `skillpack create` without --resume first",
            )
        return RunState.load(state_path)
    existing = None
    if state_path.exists():
        try:
            existing = RunState.load(state_path)
        except InputError:
            if not restart:
                raise
        if existing is not None and existing.started and not restart:
            raise InputError(
                f"`{name}` already has a create run in `{root}` ({existing.summary()})",
                hint=f"continue it with `skillpack create {name} --workspace {root} --resume`, "
                "or start over with --restart (the current state is kept as a backup)",
                code="run-exists",
            )
    note = _prepare(ctx, restart)
    if note:
        say(note)
    state = RunState.fresh(name, str(ctx.doc), STEP_NAMES)
    state.base_commit = head_commit(root)
    return state


def run_create(
    ctx: Context,
    *,
    resume: bool = False,
    restart: bool = False,
    until: str | None = None,
    say: Reporter = lambda _line: None,
) -> RunState:
    """Run (or resume) the steps; returns the final state, raises GateFailed on a failed gate.

    The workspace is locked for the whole run: a second writer gets ``WorkspaceBusy``.
    """
    if until is not None and until not in STEP_NAMES:
        raise InputError(known_values("step", until, STEP_NAMES), hint="see `skillpack create -h`")
    with workspace_lock(ctx.paths.root, f"skillpack create {ctx.paths.name}"):
        state = _start(ctx, resume, restart, say)
        return _run_steps(ctx, state, resume=resume, until=until, say=say)


def _fail(record: StepState, started: float, exc: SkillpackError, path: Path, state: RunState):
    record.status = "failed"
    record.seconds = round(time.perf_counter() - started, 2)
    record.message = f"{exc} ({exc.hint})" if exc.hint else str(exc)
    state.save(path)


def _run_steps(
    ctx: Context, state: RunState, *, resume: bool, until: str | None, say: Reporter
) -> RunState:
    state_path = ctx.paths.state_file
    name, root = ctx.paths.name, ctx.paths.root
    total = len(STEPS)
    since = state.base_commit
    rerun_from: str | None = None
    for index, step in enumerate(STEPS, 1):
        record = state.step(step.name)
        if not record.done and record.status in ("running", "passed"):
            # killed after the commit but before the state said so: the commit is the truth
            found = find_step_commit(root, name, step.name, record.base or since)
            if found:
                record.status, record.commit = "passed", found
                # nothing ran since that commit, so the inputs on disk are the ones it passed on
                record.inputs = dict(input_digests(ctx.paths))
                state.save(state_path)
        if record.done:
            why = _stale(step, record, input_digests(ctx.paths))
            if why is None and rerun_from is not None:
                why = f"step `{rerun_from}` before it ran again"
            if why is None:
                since = record.commit
                say(f"[{index}/{total}] {step.name:<14} passed earlier")
                if step.name == until:
                    break
                continue
            say(f"[{index}/{total}] {step.name:<14} runs again: {why}")
            rerun_from = rerun_from or step.name
            record.status = "pending"
        given = ctx.config_values or ctx.config_env
        if step.name == "auth" and not given and not ctx.paths.dev_config.exists():
            # Everything offline has passed; a person has to type the credentials now.
            waiting = _mark_waiting(state)
            state.save(state_path)
            say(f"      offline steps passed; waiting for a person: {', '.join(waiting)}")
            raise GateFailed(
                f"step `auth` is waiting for credentials for `{name}` "
                f"(waiting: {', '.join(waiting)})",
                hint=f"ask the user to run `skillpack auth {name}` (or pass "
                f"--config KEY=VALUE), then `skillpack create {name} --resume`",
                code="waiting",
            )
        say(f"[{index}/{total}] {step.name:<14} {step.title} ...")
        record.status, record.message, record.reason = "running", "", {}
        # commits of this step older than this are an earlier run's (e.g. before it went stale)
        record.base = head_commit(root)
        state.save(state_path)
        _test_hook(step.name, "start")
        started = time.perf_counter()
        try:
            out = get_tool(step.tool).call_json(step.build(ctx))
        except InputError as exc:
            if step.name == "implement" and exc.code == "would-overwrite" and resume:
                # The connector was finished by hand after a failed gate: keep it and let
                # the next steps (the suites) judge it.
                out = {"ready_to_test": True, "todo": [], "kept": str(exc)}
            else:
                _fail(record, started, exc, state_path, state)
                raise
        except SkillpackError as exc:
            _fail(record, started, exc, state_path, state)
            raise
        record.seconds = round(time.perf_counter() - started, 2)
        ok, detail = step.passed(out), step.detail(out)
        record.artifacts = _artifacts(out)
        record.message = detail
        if step.name == "implement":
            if ctx.simulator_source:
                use_simulator_source(ctx.paths.test_file, ctx.simulator_source)
            record.todo = [_todo_entry(item) for item in out.get("todo", [])]
            for line in _todo_lines(record.todo):
                say(f"      to-do: {echo(line, 300)}")
        if not ok:
            record.status = "failed"
            record.reason = gate_reason(out)
            state.save(state_path)
            todo = state.step("implement").todo if step.name == "test_simulate" else []
            if todo:
                detail += f"; {len(todo)} to-dos from implement: " + "; ".join(
                    _todo_lines(todo)[:5]
                )
            for key, value in record.reason.items():
                say(f"      {key}: {echo(value, 400)}")
            fix = record.reason.get("fix")
            raise GateFailed(
                f"step `{step.name}` failed its gate (`{step.gate}`): {echo(detail, 300)}",
                hint=(f"{echo(fix, 300)}; " if fix else f"{step.on_fail}; ")
                + f"then `skillpack create {name} --workspace {root} --resume`",
            )
        _test_hook(step.name, "ran")
        # A step is passed only once its commit exists: commit first, then record it.
        sha = commit(ctx.paths, commit_message(name, step.name))
        _test_hook(step.name, "committed")
        record.status, record.commit = "passed", sha
        record.inputs = dict(input_digests(ctx.paths))
        state.save(state_path)
        since = sha
        say(f"      {step.name} passed in {record.seconds:.1f}s: {detail}")
        if step.name == until:
            break
    return state


def context_for(
    source: str,
    *,
    doc: str | None,
    workspace: str = ".",
    version: str = "0.1.0",
    config_values: dict[str, Any] | None = None,
    config_env: dict[str, str] | None = None,
    resume: bool = False,
    simulator_source: str | None = None,
) -> Context:
    """Build the run context, checking the doc (or, to resume, the saved state) exists."""
    paths = source_paths(source, workspace)
    if resume and not paths.state_file.exists():
        raise InputError(
            f"nothing to resume: `{paths.state_file}` does not exist",
            hint="run `skillpack create` without --resume first",
        )
    if simulator_source:
        _check_simulator_source(paths, simulator_source)
    try:
        paths.root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot create the workspace `{echo(paths.root)}`: {exc.strerror}",
            hint="pass --workspace with a folder you can write to",
            code="bad-workspace",
        ) from None
    doc_path = Path(doc).expanduser() if doc else paths.api_doc
    if not doc_path.is_file():
        raise InputError(
            f"API doc `{doc_path}` does not exist",
            hint="pass --doc PATH (template: skills/implement/references/api-doc-template.md)",
        )
    return Context(
        paths=paths,
        doc=doc_path,
        version=version,
        config_values=dict(config_values or {}),
        config_env=dict(config_env or {}),
        simulator_source=simulator_source,
    )
