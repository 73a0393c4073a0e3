"""Automatic checks of the artifacts section: the API doc, the connector spec, the write-back
utilities and the source's own packaging metadata."""

from __future__ import annotations

import re
import sys
from typing import Any

import jsonschema
from packaging.utils import canonicalize_name

from skillpack.apidoc.spec import spec_schema
from skillpack.package._deps import (
    distribution_for,
    is_local,
    is_stdlib,
    is_test_only,
    local_prefixes,
    scan_imports,
)
from skillpack.package._pyproject import import_package
from skillpack.review._checks import check, verdict
from skillpack.review._context import ReviewContext, checkout_doc_template, without_write_back
from skillpack.review._outcome import Hit, Outcome, Unavailable, failed, na, passed

#: imported but never a dependency: the checkout's own framework package, the Spark
#: runtime's pyspark, and the SDK, whose modules the packaged wheel carries inside it
#: (skillpack.package._vendor)
_PROVIDED = frozenset({"databricks", "pyspark", "skillpack"})
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@check("art.api-doc-present")
def _api_doc_present(ctx: ReviewContext) -> Outcome:
    try:
        doc = ctx.doc
    except Unavailable as exc:
        path = ctx.paths.api_doc
        return failed(Hit(str(exc), path, 1 if path.is_file() else None))
    if not doc.tables and ctx.paths.layout == "upstream":
        # The checkout's template is read only in part, so its tables may not be found.
        return passed("present; its tables follow the checkout's template")
    if not doc.tables:
        return failed(Hit("the API doc describes no tables", ctx.paths.api_doc, 1))
    return passed(f"{len(doc.tables)} tables")


@check("art.doc-source-name")
def _doc_source_name(ctx: ReviewContext) -> Outcome:
    if (skip := checkout_doc_template(ctx)) is not None:
        return skip
    doc = ctx.doc
    guessed = any(w.code in ("source-name-guessed", "no-source-name") for w in doc.warnings)
    if doc.source_name != ctx.paths.name or guessed:
        stated = f"`{doc.source_name}`" if doc.source_name and not guessed else "no source name"
        return failed(Hit(f"the doc states {stated}, not `{ctx.paths.name}`", ctx.paths.api_doc, 1))
    return passed()


@check("art.doc-base-url")
def _doc_base_url(ctx: ReviewContext) -> Outcome:
    if ctx.doc.base_url:
        return passed()
    return failed(Hit("the doc states no base URL", ctx.paths.api_doc, 1))


@check("art.doc-auth")
def _doc_auth(ctx: ReviewContext) -> Outcome:
    doc = ctx.doc
    path = ctx.paths.api_doc
    if not doc.auth:
        return failed(Hit("the doc documents no authentication", path, 1))
    return verdict(
        Hit(f"`{m.kind}` authentication lists no parameters", path, m.line or 1)
        for m in doc.auth
        if m.kind != "none" and not m.fields
    )


@check("art.doc-table-facts")
def _doc_table_facts(ctx: ReviewContext) -> Outcome:
    if (skip := checkout_doc_template(ctx)) is not None:
        return skip
    hits = []
    for t in ctx.doc.tables:
        missing = []
        if not t.primary_keys or "primary_keys" in t.inferred:
            missing.append("primary key")
        if "ingestion_type" in t.inferred:
            missing.append("ingestion type")
        if t.read_endpoint is None:
            missing.append("read endpoint")
        if missing:
            hits.append(
                Hit(
                    f"table `{t.name}` states no {', '.join(missing)}",
                    ctx.paths.api_doc,
                    t.line or 1,
                )
            )
    return verdict(hits)


@check("art.doc-fields")
def _doc_fields(ctx: ReviewContext) -> Outcome:
    if (skip := checkout_doc_template(ctx)) is not None:
        return skip
    return verdict(
        Hit(f"table `{t.name}` lists no fields", ctx.paths.api_doc, t.line or 1)
        for t in ctx.doc.tables
        if not t.fields
    )


@check("art.doc-delete-feeds")
def _doc_delete_feeds(ctx: ReviewContext) -> Outcome:
    if (skip := checkout_doc_template(ctx)) is not None:
        return skip
    deleting = [t for t in ctx.doc.tables if t.ingestion_type == "cdc_with_deletes"]
    if not deleting:
        return na("no table is cdc_with_deletes")
    return verdict(
        Hit(
            f"table `{t.name}` is cdc_with_deletes but no delete feed is documented",
            ctx.paths.api_doc,
            t.line or 1,
        )
        for t in deleting
        if t.delete_endpoint is None
    )


@check("art.spec-present")
def _spec_present(ctx: ReviewContext) -> Outcome:
    path = ctx.paths.connector_spec
    if path.is_file():
        return passed()
    return failed(Hit(f"no connector spec at `{ctx.rel(path)}`", path))


@check("art.spec-valid")
def _spec_valid(ctx: ReviewContext) -> Outcome:
    path = ctx.paths.connector_spec
    if not path.is_file():
        return na("no connector_spec.yaml")
    try:
        data = ctx.spec
    except Unavailable as exc:
        return failed(Hit(str(exc), path, 1))
    hits = []
    validator = jsonschema.Draft202012Validator(spec_schema(ctx.paths.layout))
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        where = ".".join(str(p) for p in error.absolute_path) or "the top level"
        # Name the place and the rule, never the value: a spec can be mistaken for config.
        hits.append(Hit(f"`{where}` breaks the schema's `{error.validator}` rule", path, 1))
    if data.get("source_name") not in (None, ctx.paths.name) and isinstance(
        data.get("source_name"), str
    ):
        line = ctx.spec_lines().get("key:source_name", 1)
        hits.append(
            Hit(f"source_name `{data['source_name']}` is not `{ctx.paths.name}`", path, line)
        )
    return verdict(hits)


@check("art.test-utils-present")
def _test_utils_present(ctx: ReviewContext) -> Outcome:
    if (skip := without_write_back(ctx)) is not None:
        return skip
    path = ctx.paths.test_utils
    if path.is_file():
        return passed()
    return failed(Hit(f"the doc documents write-back but there is no `{ctx.rel(path)}`", path))


def _pyproject(ctx: ReviewContext) -> tuple[dict[str, Any], list[str]]:
    path = ctx.paths.package_pyproject
    if not path.is_file():
        raise _NotPackaged
    text = path.read_text(encoding="utf-8")
    try:
        if sys.version_info >= (3, 11):
            import tomllib

            data = tomllib.loads(text)
        else:  # pragma: no cover - Python 3.10
            import tomlkit

            data = tomlkit.parse(text).unwrap()
    except Exception:
        raise Unavailable("the source's pyproject.toml is not valid TOML") from None
    return data, text.splitlines()


class _NotPackaged(Unavailable):
    """The source has no pyproject.toml of its own."""


_NOT_PACKAGED = "no pyproject.toml in the source folder: the source is not packaged on its own"


@check("art.pkg-metadata")
def _pkg_metadata(ctx: ReviewContext) -> Outcome:
    try:
        data, lines = _pyproject(ctx)
    except _NotPackaged:
        return na(_NOT_PACKAGED)
    path = ctx.paths.package_pyproject
    project = data.get("project")
    if not isinstance(project, dict):
        return failed(Hit("no [project] table", path, 1))
    line = next((i for i, text in enumerate(lines, 1) if text.strip() == "[project]"), 1)
    missing = [
        k for k in ("name", "description", "requires-python", "dependencies") if k not in project
    ]
    if "version" not in project and "version" not in (project.get("dynamic") or []):
        missing.insert(1, "version")
    if missing:
        return failed(Hit(f"[project] lacks {', '.join(f'`{k}`' for k in missing)}", path, line))
    return passed()


@check("art.pkg-deps")
def _pkg_deps(ctx: ReviewContext) -> Outcome:
    try:
        data, _ = _pyproject(ctx)
    except _NotPackaged:
        return na(_NOT_PACKAGED)
    declared = set()
    for req in (data.get("project") or {}).get("dependencies") or []:
        m = _REQUIREMENT_NAME.match(str(req))
        if m:
            declared.add(canonicalize_name(m.group(1)))
    prefixes = local_prefixes(ctx.paths, import_package(ctx.paths.name))
    hits, seen = [], set()
    for py in ctx.python_files("source"):
        if is_test_only(py.path):
            continue
        for use in scan_imports(py.tree, py.path.name):
            top = use.module.split(".")[0]
            if not use.required or top in seen or top in _PROVIDED:
                continue
            if is_stdlib(top) or is_local(use.module, prefixes, set()):
                continue
            seen.add(top)
            dist = distribution_for(top) or top
            if canonicalize_name(dist) not in declared:
                hits.append(
                    Hit(f"`{top}` is imported but `{dist}` is not a dependency", py.path, use.line)
                )
    return verdict(hits)
