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

import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from skillpack.apidoc import linked_docs, read_doc
from skillpack.create.failures import failure_todos, unchecked_todos
from skillpack.create.lock import workspace_lock
from skillpack.create.measured import record_measured_verdicts
from skillpack.create.simsource import (
    check_simulator_source,
    unchecked_tables,
    use_simulator_source,
)
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
from skillpack.create.steps import (
    NEEDS_PERSON,
    STEP_NAMES,
    STEPS,
    Context,
    Step,
    gate_reason,
    input_digests,
    stale,
)
from skillpack.errors import GateFailed, InputError, SkillpackError, known_values
from skillpack.layout import echo, source_paths
from skillpack.registry import get_tool

__all__ = [
    "IGNORED",
    "STEPS",
    "STEP_NAMES",
    "Context",
    "RunState",
    "Step",
    "StepState",
    "context_for",
    "gate_reason",
    "input_digests",
    "run_create",
]

#: Test hooks, read only from the environment of a test run. ``SKILLPACK_TEST_KILL_AT=STEP:PHASE``
#: makes the run SIGKILL itself there, so tests prove a kill anywhere is recovered by
#: ``--resume``; ``SKILLPACK_TEST_PAUSE_AT=STEP:PHASE`` makes it wait for a line on stdin, so
#: tests hold the workspace lock while other runs try it. Phases: ``start`` (state says
#: running, tool not called), ``ran`` (tool done, nothing committed), ``committed`` (commit
#: made, state not yet updated).
KILL_HOOK_ENV = "SKILLPACK_TEST_KILL_AT"
PAUSE_HOOK_ENV = "SKILLPACK_TEST_PAUSE_AT"


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


def _unchecked_todos(unchecked: dict[str, str], doc: Path, spec: str) -> list[dict[str, Any]]:
    """A to-do for each table the curated spec cannot check; one with no doc line when the
    doc no longer reads (its step says so), as the suite leaves the table out all the same."""
    if not unchecked:
        return []
    try:
        parsed = read_doc(str(doc))
    except InputError:
        parsed = None
    return unchecked_todos(unchecked, parsed, spec)


def _failure_todos(out: dict[str, Any], doc: Path) -> list[dict[str, Any]]:
    """The suite's failures as to-dos; none when the doc no longer reads (its step says so)."""
    try:
        return failure_todos(out, read_doc(str(doc)))
    except InputError:
        return []


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
    ensure_ignored(ctx.paths)
    # On the run's branch first: a switch git refuses then leaves the user's files as they are.
    branch = on_source_branch(ctx.paths)
    copies: list[tuple[Path, Path]] = []
    if new_doc:
        # the docs it links to in its folder (keys and fields per module) travel with it
        here = ctx.doc.resolve().parent
        copies = [(ctx.doc, api_doc)]
        copies += [(f, api_doc.parent / f.relative_to(here)) for f in linked_docs(ctx.doc)]
    replaced = [t for f, t in copies if t.is_file() and t.read_bytes() != f.read_bytes()]
    kept = [state_file] if restart and state_file.exists() else []
    note = ""
    if replaced or kept:
        folder = backup(ctx.paths.root, *kept, *replaced)
        note = f"kept a copy of {', '.join(f.name for f in kept + replaced)} in {folder}"
    for source, target in copies:
        replace_file(source, target)
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
            why = stale(step, record, input_digests(ctx.paths))
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
        if step.name == "review":
            added = record_measured_verdicts(ctx.paths, state)
            if added:
                where = ctx.paths.review_judgements.relative_to(root)
                say(f"      measured by this run, answered in {where}: {', '.join(added)}")
        record.status, record.message, record.reason, record.todo = "running", "", {}, []
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
        left = unchecked_tables(ctx.paths.test_file) if step.name == "test_simulate" else []
        if left:
            # said on every run the test file leaves them out, with or without the flag
            spec = f"`{ctx.simulator_source}` " if ctx.simulator_source else ""
            detail += (
                f"; not checked, the curated spec {spec}serving no read path for them: "
                f"{', '.join(left)}"
            )
        record.artifacts = _artifacts(out)
        record.message = detail
        if step.name == "implement":
            todo = list(out.get("todo", []))
            if ctx.simulator_source:
                use = use_simulator_source(ctx.paths, ctx.simulator_source)
                if use.note:
                    say(f"      {use.note}")
                todo += _unchecked_todos(use.unchecked, ctx.paths.api_doc, ctx.simulator_source)
                if use.unchecked:
                    record.message = detail = (
                        f"{detail}; {len(use.unchecked)} tables the curated spec cannot check"
                    )
            record.todo = [_todo_entry(item) for item in todo]
            for line in _todo_lines(record.todo):
                say(f"      to-do: {echo(line, 300)}")
        if not ok:
            record.status = "failed"
            record.reason = gate_reason(out)
            if step.tool == "run_suite":
                # what failed, placed at the table, field and doc line it concerns
                record.todo = _failure_todos(out, ctx.paths.api_doc)
            state.save(state_path)
            todo = state.step("implement").todo if step.name == "test_simulate" else []
            if todo:
                detail += f"; {len(todo)} to-dos from implement: " + "; ".join(
                    _todo_lines(todo)[:5]
                )
            for key, value in record.reason.items():
                say(f"      {key}: {echo(value, 400)}")
            if step.tool == "run_suite":
                # implement's own to-dos were said above, as it finished
                for line in _todo_lines(record.todo):
                    say(f"      to-do: {echo(line, 300)}")
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
        check_simulator_source(paths, simulator_source)
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
