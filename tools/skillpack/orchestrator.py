"""``skillpack create``: build a connector one verified step at a time.

Each step is one registered tool call followed by its gate (a named field of the
tool's output). A passed step is recorded in the workspace's state file and, with
git, committed, so a run can be resumed after the last passed step and every step
can be inspected or reverted. A failed gate stops the run with the diagnosis and
the command to resume; nothing moves past a failed gate.

    doc -> lint -> spec -> auth -> implement -> connect -> test_simulate -> sync_simulate
        -> record -> write_back -> test_live -> sync_live -> package -> review
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from skillpack.errors import GateFailed, InputError, SkillpackError, known_values
from skillpack.layout import SourcePaths, source_paths
from skillpack.tools import get_tool

Status = Literal["pending", "running", "passed", "failed", "waiting"]

#: lines .gitignore must hold before the first commit: credentials and build output
IGNORED = (".skillpack/", "**/configs/dev_config.json", "dist/", "build/", "*.egg-info/",
           "__pycache__/", "*.pyc", ".pytest_cache/")  # fmt: skip


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

    @property
    def source(self) -> dict[str, str]:
        return {"source": self.paths.name, "workspace": str(self.paths.root)}


Gate = Callable[[dict[str, Any]], tuple[bool, str]]


@dataclass(frozen=True)
class Step:
    """One step: the tool it calls, how its input is built, and the gate on its output."""

    name: str
    tool: str
    title: str
    build: Callable[[Context], dict[str, Any]]
    gate: Gate
    #: where an agent goes when the gate fails
    on_fail: str


def _field(name: str) -> Gate:
    def gate(out: dict[str, Any]) -> tuple[bool, str]:
        return bool(out.get(name)), f"`{name}` is {out.get(name)!r}"

    return gate


def _suite_gate(out: dict[str, Any]) -> tuple[bool, str]:
    counts = out.get("counts", {})
    summary = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    causes = ", ".join(out.get("causes", []))
    return bool(out.get("passed")), summary + (f"; causes: {causes}" if causes else "")


def _lint_gate(out: dict[str, Any]) -> tuple[bool, str]:
    errors = [f for f in out.get("findings", []) if f.get("severity") == "error"]
    shown = "; ".join(f"line {f.get('line')}: {f.get('message')}" for f in errors[:3])
    return bool(out.get("passed")), f"{out.get('errors', 0)} errors" + (
        f": {shown}" if shown else ""
    )


def _review_gate(out: dict[str, Any]) -> tuple[bool, str]:
    band = str(out.get("band", ""))
    return band.startswith(("READY", "ALMOST")), f"score {out.get('score')}, band {band}"


def _implement_gate(out: dict[str, Any]) -> tuple[bool, str]:
    todo = out.get("todo", [])
    return bool(out.get("passed_template_check")) and not todo, f"{len(todo)} parts to finish"


def _package_gate(out: dict[str, Any]) -> tuple[bool, str]:
    checks = out.get("checks", [])
    failed = [c.get("name") for c in checks if c.get("status") == "failed"]
    detail = f"{len(checks)} checks" + (f", failed: {failed}" if failed else "")
    return bool(out.get("passed")) and not failed, detail


def _write_back_gate(out: dict[str, Any]) -> tuple[bool, str]:
    if out.get("skipped"):
        return True, f"skipped: {out.get('reason')}"
    return True, f"{len(out.get('tables', []))} tables with write-back"


def _sync_gate(out: dict[str, Any]) -> tuple[bool, str]:
    failed = [
        f"{t.get('table')}.{c.get('name')} ({c.get('code')})"
        for t in out.get("tables", [])
        for c in t.get("checks", [])
        if c.get("status") == "failed"
    ]
    detail = f"{len(out.get('tables', []))} tables, {out.get('skipped', 0)} checks skipped"
    return bool(out.get("passed")), detail + (
        f"; failed: {', '.join(failed[:4])}" if failed else ""
    )


STEPS: tuple[Step, ...] = (
    Step("doc", "parse_api_doc", "read the API doc",
         lambda c: {"path": str(c.paths.api_doc)},
         lambda out: (bool(out.get("tables")), f"{len(out.get('tables', []))} tables"),
         "fix the doc so it describes at least one table (skills/implement/references)"),
    Step("lint", "lint_api_doc", "lint the API doc",
         lambda c: {"path": str(c.paths.api_doc)}, _lint_gate,
         "fix each error finding in the doc, then resume"),
    Step("spec", "generate_connector_spec", "write connector_spec.yaml",
         lambda c: {"path": str(c.paths.api_doc), **c.source}, _field("spec_path"),
         "fix the doc's authentication section, then resume"),
    Step("auth", "write_credentials", "store the credentials (dev config, 0600)",
         lambda c: {**c.source, "values": c.config_values, "from_env": c.config_env},
         _field("complete"),
         "skills/auth-setup: ask the user to run `skillpack auth NAME`, then resume"),
    Step("implement", "implement_connector", "generate the connector",
         lambda c: {"path": str(c.paths.api_doc), **c.source}, _implement_gate,
         "skills/implement: finish each `todo` part, run `skillpack test NAME`, then resume"),
    Step("connect", "validate_auth", "connect with the credentials",
         lambda c: {**c.source, "timeout_s": 60.0}, _field("ok"),
         "skills/auth-setup: fix what `verdict` and `fix` say, then resume"),
    Step("test_simulate", "run_suite", "generic suite, offline",
         lambda c: {**c.source, "mode": "simulate", "timeout_s": c.timeout_s}, _suite_gate,
         "skills/test-fix (simulate): fix the connector or simulator spec, then resume"),
    Step("sync_simulate", "validate_incremental_sync", "incremental sync, offline",
         lambda c: {**c.source, "mode": "simulate", "timeout_s": c.timeout_s}, _sync_gate,
         "skills/validate-incremental-sync: fix the connector at each `location`, then resume"),
    Step("record", "run_suite", "record a cassette from the live source",
         lambda c: {**c.source, "mode": "record", "timeout_s": c.timeout_s}, _suite_gate,
         "skills/test-fix (record): fix what the live source revealed, then resume"),
    Step("write_back", "write_test_utils", "generate write-back utilities",
         lambda c: {**c.source, "path": str(c.paths.api_doc)}, _write_back_gate,
         "skills/write-back-testing"),
    Step("test_live", "run_suite", "generic + write-back suites, live",
         lambda c: {**c.source, "mode": "live", "timeout_s": c.timeout_s}, _suite_gate,
         "skills/test-fix (live), skills/write-back-testing: fix, then resume"),
    Step("sync_live", "validate_incremental_sync", "incremental sync, live",
         lambda c: {**c.source, "mode": "live", "timeout_s": c.timeout_s}, _sync_gate,
         "skills/validate-incremental-sync: fix the connector at each `location`, then resume"),
    Step("package", "package_connector", "build and verify the package",
         lambda c: {**c.source, "version": c.version}, _package_gate,
         "skills/packaging: fix the reported check, then resume"),
    Step("review", "review_connector", "score the connector",
         lambda c: c.source, _review_gate,
         "skills/review: fix the BLOCKER and MAJOR findings, answer the judgement checks"),
)  # fmt: skip

STEP_NAMES = tuple(s.name for s in STEPS)


# --------------------------------------------------------------------------- state


@dataclass
class StepState:
    name: str
    status: Status = "pending"
    seconds: float = 0.0
    message: str = ""
    artifacts: list[str] = field(default_factory=list)
    commit: str | None = None


@dataclass
class RunState:
    source: str
    doc: str
    steps: list[StepState]

    @classmethod
    def fresh(cls, source: str, doc: str) -> RunState:
        return cls(source, doc, [StepState(name) for name in STEP_NAMES])

    @classmethod
    def load(cls, path: Path) -> RunState:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(data["source"], data["doc"], [StepState(**s) for s in data["steps"]])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(
                f"cannot read the run state `{path}`: {exc}",
                hint="start again without --resume (passed steps are kept in git)",
            ) from None

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"source": self.source, "doc": self.doc, "steps": [vars(s) for s in self.steps]}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)

    def step(self, name: str) -> StepState:
        return next(s for s in self.steps if s.name == name)


# ----------------------------------------------------------------------------- git


def _ensure_gitignore(root: Path) -> None:
    path = root / ".gitignore"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    missing = [line for line in IGNORED if line not in lines]
    if missing:
        path.write_text("\n".join([*lines, *missing]) + "\n", encoding="utf-8")


def _commit(root: Path, message: str) -> str:
    """Commit everything not ignored in ``root`` (initialising a repo).

    A step that changed no file still gets its (empty) commit, so the history lists
    every passed step in order.
    """
    import git

    try:
        repo = git.Repo(root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        repo = git.Repo.init(root)
    _ensure_gitignore(root)
    repo.git.add(A=True)
    actor = git.Actor("skillpack", "skillpack@localhost")
    return repo.index.commit(message, author=actor, committer=actor).hexsha[:12]


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


def _prepare(ctx: Context, say: Reporter) -> None:
    """Put the doc in place and the credentials given on the command line in the dev config."""
    api_doc = ctx.paths.api_doc
    if ctx.doc.resolve() != api_doc.resolve():
        api_doc.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ctx.doc, api_doc)
    _ensure_gitignore(ctx.paths.root)


def run_create(
    ctx: Context,
    *,
    resume: bool = False,
    until: str | None = None,
    say: Reporter = lambda _line: None,
) -> RunState:
    """Run (or resume) the steps; returns the final state, raises GateFailed on a failed gate."""
    if until is not None and until not in STEP_NAMES:
        raise InputError(known_values("step", until, STEP_NAMES), hint="see `skillpack create -h`")
    state_path = ctx.paths.state_file
    if resume and state_path.exists():
        state = RunState.load(state_path)
    elif resume:
        raise InputError(
            f"nothing to resume: `{state_path}` does not exist",
            hint="run `skillpack create` without --resume first",
        )
    else:
        state = RunState.fresh(ctx.paths.name, str(ctx.doc))
        _prepare(ctx, say)
    total = len(STEPS)
    for index, step in enumerate(STEPS, 1):
        record = state.step(step.name)
        if record.status == "passed":
            say(f"[{index}/{total}] {step.name:<14} passed earlier")
            if step.name == until:
                break
            continue
        given = ctx.config_values or ctx.config_env
        if step.name == "auth" and not given and not ctx.paths.dev_config.exists():
            # A person has to type the credentials: pause here rather than fail.
            record.status, record.message = "waiting", "no credentials yet"
            state.save(state_path)
            raise GateFailed(
                f"step `auth` is waiting for credentials for `{ctx.paths.name}`",
                hint=f"ask the user to run `skillpack auth {ctx.paths.name}` (or pass "
                f"--config KEY=VALUE), then `skillpack create {ctx.paths.name} --resume`",
                code="waiting",
            )
        say(f"[{index}/{total}] {step.name:<14} {step.title} ...")
        record.status, record.message = "running", ""
        state.save(state_path)
        started = time.perf_counter()
        try:
            out = get_tool(step.tool).call_json(step.build(ctx))
        except InputError as exc:
            if step.name == "implement" and exc.code == "would-overwrite" and resume:
                # The connector was finished by hand after a failed gate: keep it and let
                # the next steps (the suites) judge it.
                out = {"passed_template_check": True, "todo": [], "kept": str(exc)}
            else:
                record.status = "failed"
                record.seconds = round(time.perf_counter() - started, 2)
                record.message = f"{exc} ({exc.hint})" if exc.hint else str(exc)
                state.save(state_path)
                raise
        except SkillpackError as exc:
            record.status = "failed"
            record.seconds = round(time.perf_counter() - started, 2)
            record.message = f"{exc} ({exc.hint})" if exc.hint else str(exc)
            state.save(state_path)
            raise
        record.seconds = round(time.perf_counter() - started, 2)
        ok, detail = step.gate(out)
        record.artifacts = _artifacts(out)
        record.message = detail
        if not ok:
            record.status = "failed"
            state.save(state_path)
            raise GateFailed(
                f"step `{step.name}` failed its gate: {detail}",
                hint=f"{step.on_fail}; then `skillpack create {ctx.paths.name} --workspace "
                f"{ctx.paths.root} --resume`",
            )
        record.status = "passed"
        state.save(state_path)
        record.commit = _commit(ctx.paths.root, f"create {ctx.paths.name}: {step.name} passed")
        state.save(state_path)
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
) -> Context:
    """Build the run context, checking the doc (or, to resume, the saved state) exists."""
    paths = source_paths(source, workspace)
    if resume and not paths.state_file.exists():
        raise InputError(
            f"nothing to resume: `{paths.state_file}` does not exist",
            hint="run `skillpack create` without --resume first",
        )
    paths.root.mkdir(parents=True, exist_ok=True)
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
    )
