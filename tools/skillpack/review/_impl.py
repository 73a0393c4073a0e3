"""Automatic checks of the implementation section: the connector module read with ast."""

from __future__ import annotations

import ast

from skillpack.review._ast import PyFile
from skillpack.review._checks import check, verdict
from skillpack.review._code import INTERFACE, METADATA_KEYS, REQUIRED_METHODS
from skillpack.review._context import ReviewContext, by_place, parse_outcome
from skillpack.review._http import http_files, raw_http_calls, rest_clients
from skillpack.review._outcome import Hit, Outcome, Unavailable, failed, na, passed
from skillpack.sdk.connector import INGESTION_TYPES

_SCHEMA_MODULES = ("skillpack.sdk.schema", "pyspark.sql.types")


@check("impl.module-parses")
def _module_parses(ctx: ReviewContext) -> Outcome:
    return parse_outcome(ctx, ctx.paths.connector_module, "connector module", "the module")


@check("impl.connector-class")
def _connector_class(ctx: ReviewContext) -> Outcome:
    py = ctx.connector_py
    try:
        cls = ctx.connector.cls
    except Unavailable:
        cls = None
    if cls is None:
        return failed(Hit("no class subclasses LakeflowConnect or defines read_table", py.path, 1))
    return passed(f"`{cls.name}`")


@check("impl.required-methods")
def _required_methods(ctx: ReviewContext) -> Outcome:
    facts = ctx.connector
    assert facts.cls is not None
    missing = [m for m in REQUIRED_METHODS if m not in facts.methods]
    if missing:
        listed = ", ".join(f"`{m}`" for m in missing)
        return failed(Hit(f"`{facts.cls.name}` lacks {listed}", facts.py.path, facts.cls.lineno))
    return passed()


@check("impl.method-signatures")
def _method_signatures(ctx: ReviewContext) -> Outcome:
    facts = ctx.connector
    hits = []
    for name, expected in INTERFACE.items():
        fn = facts.methods.get(name)
        if fn is None:
            continue
        args = [a.arg for a in fn.args.posonlyargs + fn.args.args][1:]
        required = len(args) - len(fn.args.defaults)
        if args[: len(expected)] != list(expected) or required > len(expected):
            hits.append(
                Hit(
                    f"`{name}({', '.join(args)})` should take ({', '.join(expected)})",
                    facts.py.path,
                    fn.lineno,
                )
            )
    return verdict(hits)


def _metadata(ctx: ReviewContext):
    facts = ctx.connector
    if not facts.metadata:
        raise Unavailable("no literal table metadata (a dict with `ingestion_type`) in the module")
    return facts


@check("impl.ingestion-types-valid")
def _ingestion_types(ctx: ReviewContext) -> Outcome:
    facts = _metadata(ctx)
    return verdict(
        Hit(f"unknown ingestion type `{m.ingestion_type}`", facts.py.path, m.ingestion_line)
        for m in facts.metadata
        if m.ingestion_type is not None and m.ingestion_type not in INGESTION_TYPES
    )


@check("impl.metadata-keys")
def _metadata_keys(ctx: ReviewContext) -> Outcome:
    facts = _metadata(ctx)
    hits = []
    for m in facts.metadata:
        missing = [k for k in METADATA_KEYS if k not in m.keys]
        if missing:
            listed = ", ".join(f"`{k}`" for k in missing)
            hits.append(Hit(f"table metadata lacks {listed}", facts.py.path, m.line))
    return verdict(hits)


def _wanted(m, which: str) -> list[str]:
    if which == "primary key":
        return list(m.primary_keys or [])
    return [m.cursor_field] if m.cursor_field else []


def _in_schema(ctx: ReviewContext, which: str) -> Outcome:
    facts = ctx.connector
    path = facts.py.path
    known = [t for t in facts.tables or () if t.fields is not None and t.metadata is not None]
    hits = []
    if known:
        for t in known:
            names = {n for n, _ in t.fields or ()}
            for w in _wanted(t.metadata, which):
                if w.split(".")[0] not in names:
                    line = t.metadata.line if t.metadata else t.line
                    hits.append(
                        Hit(f"table `{t.name}`: {which} `{w}` is not in its schema", path, line)
                    )
        return verdict(hits)
    # Tables found at run time: every metadata literal must name a field some schema has.
    facts = _metadata(ctx)
    if not facts.struct_fields:
        raise Unavailable("schemas are not built from literal StructField names")
    for m in facts.metadata:
        for w in _wanted(m, which):
            if w.split(".")[0] not in facts.struct_fields:
                hits.append(Hit(f"{which} `{w}` is no StructField of the module", path, m.line))
    return verdict(hits, "checked against every StructField of the module")


@check("impl.primary-keys-in-schema")
def _keys_in_schema(ctx: ReviewContext) -> Outcome:
    return _in_schema(ctx, "primary key")


@check("impl.cursor-in-schema")
def _cursor_in_schema(ctx: ReviewContext) -> Outcome:
    return _in_schema(ctx, "cursor field")


@check("impl.deletes-method")
def _deletes_method(ctx: ReviewContext) -> Outcome:
    facts = ctx.connector
    assert facts.cls is not None
    places = [
        (facts.py.path, m.ingestion_line)
        for m in facts.metadata
        if m.ingestion_type == "cdc_with_deletes"
    ]
    if not facts.metadata:
        doc = ctx.doc
        places = [
            (ctx.paths.api_doc, t.line)
            for t in doc.tables
            if t.ingestion_type == "cdc_with_deletes"
        ]
    if not places:
        return na("no table is cdc_with_deletes")
    if "read_table_deletes" in facts.methods:
        return passed()
    path, line = places[0]
    return failed(
        Hit(
            f"a table is `cdc_with_deletes` but `{facts.cls.name}` has no read_table_deletes",
            path,
            line,
        )
    )


@check("impl.http-timeouts")
def _http_timeouts(ctx: ReviewContext) -> Outcome:
    files = http_files(ctx)
    hits, seen = [], False
    for py in files:
        for call, name in raw_http_calls(py):
            seen = True
            if not _has_timeout(call, name):
                hits.append(Hit(f"`{name}(...)` without a timeout", py.path, call.lineno))
        for call in rest_clients(py):
            seen = True
            if any(k.arg == "timeout" and _is_none(k.value) for k in call.keywords):
                hits.append(Hit("RestClient built with `timeout=None`", py.path, call.lineno))
    if not seen:
        return na("no HTTP calls found in the source's code")
    return verdict(hits)


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _has_timeout(call: ast.Call, name: str) -> bool:
    for kw in call.keywords:
        if kw.arg is None:
            return True  # **kwargs: cannot tell, do not accuse
        if kw.arg == "timeout":
            return not _is_none(kw.value)
    if name.endswith("urlopen") and len(call.args) >= 3:
        return True
    # httpx applies a 5 s default unless told `timeout=None`.
    return name.startswith("httpx.")


@check("impl.retries-429")
def _retries_429(ctx: ReviewContext) -> Outcome:
    hits, seen = [], False
    for py in ctx.python_files("source"):
        for call in rest_clients(py):
            seen = True
            hits += _rest_retry_hits(py, call)
        raw = raw_http_calls(py)
        if raw:
            seen = True
            if not _handles_429(py):
                call, name = raw[0]
                hits.append(Hit(f"`{name}(...)` is never retried on 429", py.path, call.lineno))
    if not seen:
        return na("no HTTP calls found in the source's code")
    return verdict(hits)


def _rest_retry_hits(py: PyFile, call: ast.Call) -> list[Hit]:
    for kw in call.keywords:
        value = py.resolve(kw.value)
        if kw.arg == "max_retries" and isinstance(value, ast.Constant) and value.value == 0:
            return [Hit("RestClient built with `max_retries=0`", py.path, call.lineno)]
        if kw.arg == "retry_statuses" and isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            codes = {e.value for e in value.elts if isinstance(e, ast.Constant)}
            if 429 not in codes:
                return [Hit("`retry_statuses` leaves out 429", py.path, call.lineno)]
    return []


def _handles_429(py: PyFile) -> bool:
    if any(isinstance(n, ast.Constant) and n.value == 429 for n in py.nodes):
        return True
    return any(py.call_name(c).rsplit(".", 1)[-1] == "Retry" for c in py.calls)


@check("impl.pagination")
def _pagination(ctx: ReviewContext) -> Outcome:
    doc = ctx.doc
    paged = [t for t in doc.tables if t.pagination and t.pagination.style != "none"]
    if not paged:
        return na("the API doc documents no pagination")
    for py in ctx.python_files("source"):
        for node in py.nodes:
            if isinstance(node, ast.While):
                return passed("a page loop")
            if isinstance(node, ast.Attribute) and node.attr in ("paginate", "iter_records"):
                return passed("RestClient pagination")
            if isinstance(node, ast.Name) and node.id.endswith("Paginator"):
                return passed("an SDK paginator")
    facts = ctx.connector
    fn = facts.methods.get("read_table")
    line = fn.lineno if fn is not None else 1
    styles = ", ".join(
        sorted({f"`{t.name}` ({t.pagination.style})" for t in paged if t.pagination})
    )
    return failed(Hit(f"the doc pages {styles} but the connector never pages", facts.py.path, line))


@check("impl.unknown-table-raises")
def _unknown_table_raises(ctx: ReviewContext) -> Outcome:
    facts = ctx.connector
    assert facts.cls is not None
    for name, fn in facts.methods.items():
        if name == "__init__":
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Raise):
                return passed()
            if isinstance(node, ast.Call) and facts.py.call_name(node).endswith("unknown_table"):
                return passed()
    return failed(
        Hit(
            f"`{facts.cls.name}` never raises for an unknown table", facts.py.path, facts.cls.lineno
        )
    )


@check("impl.no-swallowed-errors")
def _no_swallowed_errors(ctx: ReviewContext) -> Outcome:
    hits = []
    for py in ctx.python_files("source"):
        for node in py.nodes:
            if not isinstance(node, ast.ExceptHandler):
                continue
            if node.type is None:
                hits.append(Hit("bare `except:`", py.path, node.lineno))
            elif all(_is_noop(s) for s in node.body):
                hits.append(
                    Hit("an exception handler that swallows the error", py.path, node.lineno)
                )
    return verdict(sorted(hits, key=by_place))


def _is_noop(stmt: ast.stmt) -> bool:
    if isinstance(stmt, (ast.Pass, ast.Continue)):
        return True
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)


@check("impl.no-print")
def _no_print(ctx: ReviewContext) -> Outcome:
    return verdict(
        Hit("`print(...)` call", py.path, call.lineno)
        for py in ctx.python_files("source")
        for call in py.calls
        if py.call_name(call) == "print"
    )


@check("impl.no-global-state")
def _no_global_state(ctx: ReviewContext) -> Outcome:
    hits = [
        Hit(f"`global {', '.join(node.names)}`", py.path, node.lineno)
        for py in ctx.python_files("source")
        for node in py.nodes
        if isinstance(node, ast.Global)
    ]
    return verdict(sorted(hits, key=by_place))


@check("impl.options-validated")
def _options_validated(ctx: ReviewContext) -> Outcome:
    facts = ctx.connector
    assert facts.cls is not None
    init = facts.methods.get("__init__")
    if init is None:
        return failed(
            Hit(
                f"`{facts.cls.name}` has no __init__ checking its options",
                facts.py.path,
                facts.cls.lineno,
            )
        )
    for node in ast.walk(init):
        if isinstance(node, ast.Raise):
            return passed()
        if isinstance(node, ast.Call) and any(
            w in facts.py.call_name(node).lower() for w in ("configerror", "require", "validate")
        ):
            return passed()
    return failed(
        Hit("__init__ never rejects a missing or wrong option", facts.py.path, init.lineno)
    )


@check("impl.docstrings")
def _docstrings(ctx: ReviewContext) -> Outcome:
    facts = ctx.connector
    assert facts.cls is not None
    hits = []
    if not ast.get_docstring(facts.py.tree):
        hits.append(Hit("the module has no docstring", facts.py.path, 1))
    if not ast.get_docstring(facts.cls):
        hits.append(Hit(f"`{facts.cls.name}` has no docstring", facts.py.path, facts.cls.lineno))
    return verdict(hits)


@check("impl.schema-types")
def _schema_types(ctx: ReviewContext) -> Outcome:
    py = ctx.connector_py
    origin = py.imports.get("StructType")
    if origin is None:
        if "StructType" in py.classes:
            return failed(
                Hit(
                    "StructType is defined here, not imported",
                    py.path,
                    py.classes["StructType"].lineno,
                )
            )
        return na("the module builds no StructType by name")
    if origin.rsplit(".", 1)[0] in _SCHEMA_MODULES:
        return passed()
    line = next(
        (
            n.lineno
            for n in py.nodes
            if isinstance(n, ast.ImportFrom) and any(a.name == "StructType" for a in n.names)
        ),
        1,
    )
    return failed(Hit(f"StructType comes from `{origin.rsplit('.', 1)[0]}`", py.path, line))
