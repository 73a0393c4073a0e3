"""implement_connector: generate a connector, its simulator spec and test file from an API doc."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, Field

from skillpack.apidoc.models import ApiDoc
from skillpack.apidoc.parse import read_doc
from skillpack.errors import InputError
from skillpack.flavour import Flavour, flavour_of
from skillpack.implement import _upstream
from skillpack.implement._code import DIGEST_NOTE, DIGEST_PREFIX, Rendered, render_connector
from skillpack.implement._files import (
    SIMULATOR_PAGE_SIZE,
    is_unedited,
    render_spec,
    render_test_file,
    stamp,
)
from skillpack.implement._helpers import render_helpers
from skillpack.implement._model import ConnectorPlan, Todo
from skillpack.implement._plan import plan_connector
from skillpack.inputs import SourceArgs
from skillpack.layout import SourcePaths
from skillpack.registry import tool


class ImplementConnectorIn(SourceArgs):
    """Which source to implement, and from which API doc."""

    path: str | None = Field(
        None,
        description="Path to the API doc; default: the source's NAME_api_doc.md. A doc "
        "elsewhere is copied there when the workspace has none yet.",
    )
    overwrite: bool = Field(
        False,
        description="Replace generated files that were edited since they were generated "
        "(their edits are lost). Unedited generated files are always regenerated.",
    )


class TodoItem(BaseModel):
    """One thing the doc did not give, and where to finish it."""

    table: str | None = Field(None, description="The table it concerns; none for the source.")
    field: str = Field(
        description="What to decide: `primary_keys`, `cursor_field`, `read_endpoint`, `auth`..."
    )
    what: str = Field(description="What is missing and how to finish it.")
    candidates: list[str] = Field(
        default_factory=list, description="Values the doc suggests, best first."
    )
    guessed: bool = Field(
        False, description="True: the generated code uses a value the doc does not state."
    )
    doc_line: int | None = Field(None, description="1-based line of the API doc to look at.")
    file: str = Field(description="The generated file to edit.")
    line: int | None = Field(None, description="1-based line in that file.")
    blocking: bool = Field(
        description="True: the generated code raises NotImplementedError there until it is "
        "finished. False: a value was assumed; the suite will tell whether it holds."
    )


class ImplementConnectorOut(BaseModel):
    """Files written, tables implemented, and what is left to finish."""

    GATE: ClassVar[str] = "passed_template_check"

    connector_module: str = Field(description="The connector module.")
    connector_class: str = Field(description="Name of the generated connector class.")
    simulator_spec: str = Field(description="The offline simulator spec.")
    test_file: str = Field(description="The test file running the generic suite.")
    files_written: list[str] = Field(
        default_factory=list, description="Files created or replaced by this run."
    )
    files_unchanged: list[str] = Field(
        default_factory=list, description="Files already up to date."
    )
    files_kept: list[str] = Field(
        default_factory=list,
        description="Existing files left as they are: a test file already extended (by hand "
        "or by write_test_utils), or an API doc already in the workspace.",
    )
    tables_implemented: list[str] = Field(
        default_factory=list, description="Tables generated completely (reads and deletes)."
    )
    tables_unfinished: list[str] = Field(
        default_factory=list, description="Tables with a blocking to-do."
    )
    simulator_skips: list[str] = Field(
        default_factory=list, description="Tables the simulator spec cannot serve yet."
    )
    todo: list[TodoItem] = Field(
        default_factory=list,
        description="What the agent must finish (blocking) or confirm (assumed), in doc order.",
    )
    passed_template_check: bool = Field(
        description="True when the doc gave everything: no to-dos and no assumptions."
    )
    ready_to_test: bool = Field(
        False,
        description="True when no to-do is blocking: every fact the doc states is honoured, "
        "so the offline suite can judge the rest (the gate of `skillpack create`'s step).",
    )
    next_step: str = Field(description="What to run next.")


@dataclass
class _Planned:
    """The files one run would write, rendered but not yet written."""

    files: dict[Path, str] = field(default_factory=dict)
    owned: set[Path] = field(default_factory=set)


def _doc_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _check_doc(doc: ApiDoc, path: Path) -> None:
    if not doc.tables:
        raise InputError(
            f"API doc `{path}` describes no tables",
            hint="give each table a `###` heading under `## Tables` (see "
            "skills/implement/references/api-doc-template.md), then run again",
            code="doc-no-tables",
        )


def _doc_source(inp: ImplementConnectorIn, paths: SourcePaths) -> tuple[Path, bool]:
    """The doc to read, and whether it must be copied into the workspace."""
    if inp.path is None:
        return paths.api_doc, False
    given = Path(inp.path).expanduser()
    if not given.is_file():
        return given, False  # read_doc reports it
    copy = not paths.api_doc.exists() and given.resolve() != paths.api_doc.resolve()
    return given, copy


def _items(plan: ConnectorPlan, lines: dict[str, int], module: Path) -> list[TodoItem]:
    def anchor(t: Todo) -> int | None:
        for key in (t.key, f"{t.table}:read" if t.table else None, "client"):
            if key is not None and key in lines:
                return lines[key]
        return None

    return [
        TodoItem(
            table=t.table,
            field=t.fact,
            what=t.what,
            candidates=list(t.candidates),
            guessed=t.guessed,
            doc_line=t.doc_line,
            file=str(module),
            line=anchor(t) if not t.key.startswith("option:") else lines.get("required"),
            blocking=t.blocking,
        )
        for t in plan.todos()
    ]


def _refuse_edited(planned: _Planned, overwrite: bool, source: str) -> None:
    """Raise before anything is written when a generated file carries someone's edits."""
    if overwrite:
        return
    edited = []
    for path in sorted(planned.owned):
        if path.exists():
            current = path.read_text(encoding="utf-8")
            if current != planned.files[path] and not is_unedited(current):
                edited.append(path)
    if edited:
        listed = ", ".join(f"`{p}`" for p in edited)
        raise InputError(
            f"{listed} changed since implement_connector generated "
            f"{'it' if len(edited) == 1 else 'them'}; not replacing hand edits",
            hint=f"keep the edits (finish by hand, then run `skillpack test {source}`), or pass "
            "`overwrite: true` to regenerate and lose them",
            code="would-overwrite",
        )


def _plan_upstream(
    planned: _Planned, flavour: Flavour, plan: ConnectorPlan, rendered: Rendered
) -> list[str]:
    """An upstream checkout's files: helpers, simulator spec and corpus, the suite's test file.

    The corpus files carry no digest (JSON has no comments): once they exist and differ, they
    are someone's and are kept. Returns the tables the simulator cannot serve.
    """
    paths = flavour.paths
    helpers: dict[str, set[str]] = {}
    for module, names in rendered.sdk_names.items():
        for name in names:
            if flavour.module_for(module, name) == flavour.helpers_module:
                helpers.setdefault(module, set()).add(name)
    zero = DIGEST_PREFIX + "0" * 16 + DIGEST_NOTE + "\n"
    assert flavour.helpers_file is not None
    helpers_text, third_party = render_helpers(flavour, helpers)
    planned.files[flavour.helpers_file] = stamp(zero + helpers_text)
    pyproject = _upstream.render_pyproject(flavour, third_party)
    planned.files[paths.package_pyproject] = stamp(zero + pyproject)
    planned.owned |= {flavour.helpers_file, paths.package_pyproject}
    skipped: list[str] = []
    if not _upstream.in_process(plan):
        spec, corpus, skipped = _upstream.render_simulator(plan, SIMULATOR_PAGE_SIZE)
        planned.files[flavour.simulator_spec] = stamp(zero + spec)
        planned.owned.add(flavour.simulator_spec)
        for table, text in corpus.items():
            planned.files[flavour.corpus_dir / f"{table}.json"] = text
    planned.files[paths.test_file] = _upstream.render_test_file(flavour, plan)
    # upstream's source and test folders are packages
    for init in (paths.source_dir / "__init__.py", paths.tests_dir / "__init__.py"):
        if not init.exists():
            planned.files[init] = ""
    return skipped


def _write(planned: _Planned, out: ImplementConnectorOut) -> None:
    for path, text in planned.files.items():
        if path.exists():
            current = path.read_text(encoding="utf-8")
            if current == text:
                out.files_unchanged.append(str(path))
                continue
            if path not in planned.owned:
                out.files_kept.append(str(path))
                continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        out.files_written.append(str(path))


@tool
def implement_connector(inp: ImplementConnectorIn) -> ImplementConnectorOut:
    """Generate a connector, its simulator spec and its test file from the API doc.

    Run it once sources/NAME/NAME_api_doc.md exists and lints clean. The connector
    (sources/NAME/NAME.py) uses the SDK's REST toolkit: auth, pagination, retries, cursor
    offsets, delete feeds. What the doc does not give is generated as code raising
    NotImplementedError and listed in `todo` with its doc line and file line; finish those,
    then run `skillpack test NAME`. Re-running regenerates unedited files and refuses to
    replace edited ones (`overwrite: true` replaces them).
    """
    paths = inp.paths()
    doc_path, copy_doc = _doc_source(inp, paths)
    doc = read_doc(str(doc_path))
    _check_doc(doc, doc_path)
    doc_name = paths.api_doc.name if copy_doc or inp.path is None else doc_path.name
    flavour = flavour_of(paths)
    plan = plan_connector(
        paths.name, doc, _doc_lines(doc_path), doc_name, keep_hosts=flavour.upstream
    )
    rendered = render_connector(plan, flavour)
    planned = _Planned()
    planned.files[paths.connector_module] = stamp(rendered.text)
    planned.owned = {paths.connector_module}
    if flavour.upstream:
        skipped = _plan_upstream(planned, flavour, plan, rendered)
    else:
        spec_text, skipped = render_spec(plan)
        planned.files[paths.simulator_spec] = stamp(spec_text)
        planned.owned.add(paths.simulator_spec)
        planned.files[paths.test_file] = render_test_file(paths, plan.class_name)
    _refuse_edited(planned, inp.overwrite, paths.name)

    todo = _items(plan, rendered.lines, paths.connector_module)
    unfinished = sorted({t.table for t in todo if t.blocking and t.table})
    out = ImplementConnectorOut(
        connector_module=str(paths.connector_module),
        connector_class=plan.class_name,
        simulator_spec=str(flavour.simulator_spec),
        test_file=str(paths.test_file),
        tables_implemented=[t.name for t in plan.tables if t.name not in unfinished],
        tables_unfinished=unfinished,
        simulator_skips=skipped,
        todo=todo,
        passed_template_check=not todo,
        ready_to_test=not any(t.blocking for t in todo),
        next_step=(
            f"skillpack test {paths.name}"
            if not any(t.blocking for t in todo)
            else f"finish the blocking items of `todo`, then run `skillpack test {paths.name}`"
        ),
    )
    if copy_doc:
        paths.api_doc.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(doc_path, paths.api_doc)
        out.files_written.append(str(paths.api_doc))
    elif paths.api_doc.exists() and paths.api_doc.resolve() != doc_path.resolve():
        same = paths.api_doc.read_bytes() == doc_path.read_bytes()
        (out.files_unchanged if same else out.files_kept).append(str(paths.api_doc))
    _write(planned, out)
    return out


__all__ = ["ImplementConnectorIn", "ImplementConnectorOut", "TodoItem", "implement_connector"]
