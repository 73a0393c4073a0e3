"""Automatic checks of the consistency section: the API doc, the spec, the code, the
simulator spec and the tests all describe the same tables, keys and parameters."""

from __future__ import annotations

import ast
from collections.abc import Callable, Container, Mapping
from pathlib import Path

import jsonschema
import yaml

from skillpack.apidoc.models import ApiDoc, Table
from skillpack.apidoc.spec import build_spec, render
from skillpack.review._ast import PyFile
from skillpack.review._checks import check, verdict
from skillpack.review._code import ConnectorFacts, TableFacts, option_reads
from skillpack.review._context import (
    ReviewContext,
    checkout_doc_template,
    doc_params,
    without_utils,
    without_write_back,
)
from skillpack.review._outcome import Hit, Outcome, Unavailable, failed, na, passed
from skillpack.review._secrets import compose


def _static(ctx: ReviewContext) -> ConnectorFacts:
    facts = ctx.connector
    if facts.tables is None:
        raise _NotStatic(facts.tables_reason)
    return facts


class _NotStatic(Unavailable):
    """The code's tables are only known at run time."""


def _only_in(
    found: Mapping[str, int | None],
    other: Container[str],
    path: Path,
    message: Callable[[str], str],
) -> list[Hit]:
    """A hit at its line for each name of ``found`` that ``other`` lacks, in ``found``'s order."""
    return [Hit(message(name), path, line) for name, line in found.items() if name not in other]


@check("cons.tables-doc-code")
def _tables_doc_code(ctx: ReviewContext) -> Outcome:
    if (skip := checkout_doc_template(ctx)) is not None:
        return skip
    try:
        facts = _static(ctx)
    except _NotStatic as exc:
        return na(str(exc))
    code = {t.name: t.line for t in facts.tables or ()}
    documented = {t.name: t.line or 1 for t in ctx.doc.tables}
    hits = _only_in(
        code,
        documented,
        facts.py.path,
        lambda n: f"table `{n}` is in list_tables but not in the API doc",
    )
    hits += _only_in(
        documented,
        code,
        ctx.paths.api_doc,
        lambda n: f"table `{n}` is in the API doc but not in list_tables",
    )
    return verdict(hits)


@check("cons.tables-doc-spec")
def _tables_doc_spec(ctx: ReviewContext) -> Outcome:
    if not ctx.paths.connector_spec.is_file():
        return na("no connector_spec.yaml")
    options = ctx.spec.get("table_options") or {}
    if not isinstance(options, dict) or not options:
        return na("the spec lists no table options")
    documented = {t.name for t in ctx.doc.tables}
    lines = ctx.spec_lines()
    return verdict(
        Hit(
            f"the spec lists options for `{name}`, which the doc does not describe",
            ctx.paths.connector_spec,
            lines.get(f"key:{name}", 1),
        )
        for name in options
        if name not in documented
    )


@check("cons.spec-current")
def _spec_current(ctx: ReviewContext) -> Outcome:
    if (skip := checkout_doc_template(ctx)) is not None:
        return skip
    if not ctx.paths.connector_spec.is_file():
        return na("no connector_spec.yaml")
    actual = ctx.spec
    try:
        expected = yaml.safe_load(render(build_spec(ctx.doc, ctx.paths.name)))
    except jsonschema.ValidationError:
        raise Unavailable("the doc does not yield a valid spec") from None
    differing = sorted(k for k in set(actual) | set(expected) if actual.get(k) != expected.get(k))
    if differing:
        listed = ", ".join(f"`{k}`" for k in differing)
        return failed(
            Hit(
                f"the spec differs from what the doc generates in {listed}",
                ctx.paths.connector_spec,
                1,
            )
        )
    return passed()


def _pairs(ctx: ReviewContext) -> list[tuple[Table, TableFacts]]:
    """(doc table, code table) pairs whose code metadata is literal."""
    facts = _static(ctx)
    doc: ApiDoc = ctx.doc
    pairs = [(t, facts.table(t.name)) for t in doc.tables]
    known = [(d, c) for d, c in pairs if c is not None and c.metadata is not None]
    if not known:
        raise Unavailable("no table's metadata is literal in the code")
    return known  # type: ignore[return-value]


def _compare(ctx: ReviewContext, what: str) -> Outcome:
    try:
        pairs = _pairs(ctx)
    except _NotStatic as exc:
        return na(str(exc))
    path = ctx.connector.py.path
    hits = []
    for doc_t, code_t in pairs:
        m = code_t.metadata
        assert m is not None
        if what == "ingestion type" and m.ingestion_type is not None:
            doc_v, code_v, line = doc_t.ingestion_type, m.ingestion_type, m.ingestion_line
        elif what == "primary keys" and m.primary_keys is not None:
            doc_v, code_v, line = sorted(doc_t.primary_keys), sorted(m.primary_keys), m.line
        elif what == "cursor field" and m.cursor_known:
            doc_v, code_v, line = doc_t.cursor_field, m.cursor_field, m.line
        else:
            continue
        if doc_v != code_v:
            hits.append(
                Hit(
                    f"table `{doc_t.name}`: the code's {what} is {_show(code_v)}, "
                    f"the doc's {_show(doc_v)}",
                    path,
                    line,
                )
            )
    return verdict(hits)


def _show(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, list):
        return ", ".join(f"`{v}`" for v in value) or "none"
    return f"`{value}`"


@check("cons.ingestion-doc-code")
def _ingestion_doc_code(ctx: ReviewContext) -> Outcome:
    return _compare(ctx, "ingestion type")


@check("cons.keys-doc-code")
def _keys_doc_code(ctx: ReviewContext) -> Outcome:
    return _compare(ctx, "primary keys")


@check("cons.cursor-doc-code")
def _cursor_doc_code(ctx: ReviewContext) -> Outcome:
    return _compare(ctx, "cursor field")


@check("cons.fields-doc-code")
def _fields_doc_code(ctx: ReviewContext) -> Outcome:
    try:
        facts = _static(ctx)
    except _NotStatic as exc:
        return na(str(exc))
    hits, compared = [], 0
    for doc_t in ctx.doc.tables:
        code_t = facts.table(doc_t.name)
        if code_t is None or code_t.fields is None or not doc_t.fields:
            continue
        compared += 1
        code = {n: line for n, line in code_t.fields}
        documented = {f.name: f.line or 1 for f in doc_t.fields if "." not in f.name}
        hits += _only_in(
            code,
            documented,
            facts.py.path,
            lambda n, t=doc_t.name: f"table `{t}`: field `{n}` is in the schema, not the doc",
        )
        hits += _only_in(
            documented,
            code,
            ctx.paths.api_doc,
            lambda n, t=doc_t.name: f"table `{t}`: field `{n}` is in the doc, not the schema",
        )
    if not compared:
        raise Unavailable("no table has both a literal schema and documented fields")
    return verdict(hits)


@check("cons.params-doc-code")
def _params_doc_code(ctx: ReviewContext) -> Outcome:
    params = doc_params(ctx.doc)
    if not params:
        return na("the doc lists no connection parameters")
    strings = {s for py in ctx.python_files("source") for s, _ in py.strings()}
    if not strings:
        raise Unavailable("no Python code in the source folder")
    seen: set[str] = set()
    hits = []
    for p in params:
        if p.name in seen:
            continue
        seen.add(p.name)
        if p.name not in strings:
            hits.append(
                Hit(
                    f"parameter `{p.name}` is documented but the connector never reads it",
                    ctx.paths.api_doc,
                    p.line or 1,
                )
            )
    return verdict(hits)


@check("cons.options-code-doc")
def _options_code_doc(ctx: ReviewContext) -> Outcome:
    py = ctx.connector_py
    reads = option_reads(py, ("options",))
    table_reads = option_reads(py, ("table_options",))
    if not reads and not table_reads:
        return na("the connector reads no option by a literal key")
    doc = ctx.doc
    known = {p.name for p in doc_params(doc)}
    table_known = {o.name for t in doc.tables for o in t.options}
    try:
        spec = ctx.spec
        known |= {
            p.get("name")
            for p in (spec.get("connection") or {}).get("parameters") or []
            if isinstance(p, dict)
        }
        table_known |= set(str(spec.get("external_options_allowlist") or "").split(","))
    except Unavailable:
        pass
    hits = [
        Hit(f"option `{key}` is read but not documented", py.path, line)
        for key, line in reads
        if key not in known
    ]
    hits += [
        Hit(f"table option `{key}` is read but not documented", py.path, line)
        for key, line in table_reads
        if key not in table_known
    ]
    return verdict(hits)


def _utils_tables(ctx: ReviewContext, method: str) -> tuple[list[tuple[str, int]], PyFile]:
    py = ctx.utils_py
    cls = ctx.utils_class
    fn = py.methods(cls).get(method) if cls is not None else None
    if fn is None:
        raise Unavailable(f"the utilities define no {method}")
    returns = [n for n in ast.walk(fn) if isinstance(n, ast.Return) and n.value is not None]
    items = py.str_items(returns[0].value) if len(returns) == 1 else None
    if items is None:
        raise _NotStatic(f"the utilities find their tables at run time ({method})")
    return items, py


@check("cons.write-tables-doc-utils")
def _write_tables(ctx: ReviewContext) -> Outcome:
    if (skip := without_utils(ctx) or without_write_back(ctx)) is not None:
        return skip
    try:
        items, py = _utils_tables(ctx, "list_insertable_tables")
    except _NotStatic as exc:
        return na(str(exc))
    documented = {t.name: t.line or 1 for t in ctx.doc.tables if t.write and t.write.insert}
    listed = {name: line for name, line in items}
    hits = _only_in(
        listed,
        documented,
        py.path,
        lambda n: f"the utilities insert into `{n}`, for which the doc documents no insert",
    )
    hits += _only_in(
        documented,
        listed,
        ctx.paths.api_doc,
        lambda n: f"the doc documents inserts into `{n}` but the utilities never insert there",
    )
    return verdict(hits)


@check("cons.delete-tables-doc-utils")
def _delete_tables(ctx: ReviewContext) -> Outcome:
    if (skip := checkout_doc_template(ctx)) is not None:
        return skip
    if (skip := without_utils(ctx)) is not None:
        return skip
    try:
        items, py = _utils_tables(ctx, "list_deletable_tables")
    except _NotStatic as exc:
        return na(str(exc))
    if not items:
        return na("the utilities delete from no table")
    tables = {t.name: t for t in ctx.doc.tables}
    hits = []
    for name, line in items:
        t = tables.get(name)
        if t is None or t.ingestion_type != "cdc_with_deletes" or not (t.write and t.write.delete):
            hits.append(
                Hit(
                    f"`{name}` is not a cdc_with_deletes table with a documented delete",
                    py.path,
                    line,
                )
            )
    return verdict(hits)


@check("cons.simulator-tables")
def _simulator_tables(ctx: ReviewContext) -> Outcome:
    path = ctx.paths.simulator_spec
    if not path.is_file():
        return na("no simulator_spec.yaml")
    try:
        facts = _static(ctx)
    except _NotStatic as exc:
        return na(str(exc))
    try:
        node = compose(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        raise Unavailable("simulator_spec.yaml is not valid YAML") from None
    simulated: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == "tables" and isinstance(v, yaml.MappingNode):
                simulated = {str(tk.value): tk.start_mark.line + 1 for tk, _ in v.value}
    code = {t.name: t.line for t in facts.tables or ()}
    hits = _only_in(
        simulated,
        code,
        path,
        lambda n: f"the simulator serves `{n}`, which list_tables does not return",
    )
    hits += _only_in(
        code, simulated, facts.py.path, lambda n: f"the simulator does not serve `{n}`"
    )
    return verdict(hits)


@check("cons.test-imports-connector")
def _test_imports_connector(ctx: ReviewContext) -> Outcome:
    facts = ctx.connector
    assert facts.cls is not None
    wanted = facts.cls.name
    py = ctx.test_py
    name = ctx.paths.name
    for node in py.nodes:
        if isinstance(node, ast.ImportFrom) and any(a.name == wanted for a in node.names):
            module = node.module or ""
            if module in (ctx.paths.connector_import, name) or module.endswith(f"{name}.{name}"):
                return passed()
            return failed(
                Hit(
                    f"`{wanted}` is imported from `{module}`, not this source's module",
                    py.path,
                    node.lineno,
                )
            )
    return failed(Hit(f"the test file never imports `{wanted}`", py.path, 1))
