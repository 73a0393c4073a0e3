"""Automatic checks of the security section: credentials in code, documents and cassettes,
what is printed, logged or raised, and unsafe calls."""

from __future__ import annotations

import ast
import contextlib
import stat
from collections.abc import Iterator
from urllib.parse import urlsplit

import yaml

from skillpack.review._ast import PyFile
from skillpack.review._checks import check, verdict
from skillpack.review._context import ReviewContext, by_place, doc_params
from skillpack.review._http import http_files
from skillpack.review._outcome import Hit, Outcome, Unavailable, na
from skillpack.review._secrets import (
    cassette_hits,
    compose,
    data_hits,
    markdown_hits,
    python_hits,
)
from skillpack.sdk.redaction import is_secret_key

_LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}
)
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})
_UNSAFE_CALLS = frozenset(
    {"eval", "exec", "pickle.load", "pickle.loads", "marshal.load", "marshal.loads",
     "yaml.unsafe_load", "yaml.full_load", "dill.loads", "dill.load"}
)  # fmt: skip
_SAFE_YAML_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})
_SHELL_CALLS = frozenset({"os.system", "os.popen", "commands.getoutput"})


def _all_python(ctx: ReviewContext) -> list[PyFile]:
    files = ctx.python_files("source") + ctx.python_files("tests")
    if not files:
        raise Unavailable("no Python files in the source or its tests")
    return files


@check("sec.no-secret-literals-code")
def _secret_literals_code(ctx: ReviewContext) -> Outcome:
    return verdict(
        Hit(what, py.path, line) for py in _all_python(ctx) for what, line in python_hits(py)
    )


@check("sec.no-secret-literals-docs")
def _secret_literals_docs(ctx: ReviewContext) -> Outcome:
    markdown, data = ctx.markdown_files(), ctx.data_files()
    if not markdown and not data:
        return na("no API doc, spec or stand-in config to scan")
    hits = []
    for path in markdown:
        hits += [
            Hit(what, path, line) for what, line in markdown_hits(path.read_text(encoding="utf-8"))
        ]
    for path in data:
        try:
            node = compose(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue  # a broken spec is reported by its own check
        hits += [Hit(what, path, line) for what, line in data_hits(node)]
    return verdict(hits)


@check("sec.no-secrets-in-cassettes")
def _secrets_in_cassettes(ctx: ReviewContext) -> Outcome:
    files = ctx.cassettes()
    if not files:
        return na("no cassettes recorded")
    return verdict(
        Hit(what, path, line)
        for path in files
        for what, line in cassette_hits(ctx.cassette_node(path))
    )


def _secret_refs(py: PyFile, node: ast.AST) -> Iterator[str]:
    """Names under ``node`` that hold options or secrets; masked (redact_*) parts are skipped."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Call) and "redact" in py.call_name(current).lower():
            continue
        if isinstance(current, ast.Name) and (current.id == "options" or is_secret_key(current.id)):
            yield current.id
        elif isinstance(current, ast.Attribute) and (
            current.attr == "options" or is_secret_key(current.attr)
        ):
            yield py.dotted(current)
        elif isinstance(current, ast.Subscript):
            key = py.const_str(current.slice)
            if key is not None and is_secret_key(key):
                yield f"{py.dotted(current.value)}[{key!r}]"
        stack.extend(ast.iter_child_nodes(current))


def _is_output(py: PyFile, call: ast.Call) -> str | None:
    name = py.call_name(call)
    if name == "print":
        return "print"
    head, _, method = name.rpartition(".")
    if method in _LOG_METHODS and "log" in head.rsplit(".", 1)[-1].lower():
        return name
    return None


@check("sec.no-print-options")
def _no_print_options(ctx: ReviewContext) -> Outcome:
    hits = []
    for py in _all_python(ctx):
        for call in py.calls:
            what = _is_output(py, call)
            if what is None:
                continue
            args: list[ast.AST] = [*call.args, *(k.value for k in call.keywords)]
            refs = sorted({r for a in args for r in _secret_refs(py, a)})
            if refs:
                hits.append(Hit(f"`{what}(...)` receives `{refs[0]}`", py.path, call.lineno))
    return verdict(hits)


@check("sec.no-secrets-in-errors")
def _no_secrets_in_errors(ctx: ReviewContext) -> Outcome:
    hits = []
    for py in ctx.python_files("source"):
        for node in py.nodes:
            if not isinstance(node, ast.Raise) or not isinstance(node.exc, ast.Call):
                continue
            args: list[ast.AST] = [*node.exc.args, *(k.value for k in node.exc.keywords)]
            refs = sorted({r for a in args for r in _secret_refs(py, a)})
            if refs:
                hits.append(Hit(f"an error message formats `{refs[0]}`", py.path, node.lineno))
    return verdict(sorted(hits, key=by_place))


@check("sec.spec-secrets-marked")
def _spec_secrets_marked(ctx: ReviewContext) -> Outcome:
    if not ctx.paths.connector_spec.is_file():
        return na("no connector_spec.yaml")
    data = ctx.spec
    documented: set[str] = set()
    with contextlib.suppress(Unavailable):
        documented = {p.name for m in ctx.doc.auth for p in m.fields if p.secret}
    connection = data.get("connection") or {}
    params = list(connection.get("parameters") or [])
    for method in connection.get("auth_methods") or []:
        params += list((method or {}).get("parameters") or [])
    for options in (data.get("table_options") or {}).values():
        params += list(options or [])
    if ctx.paths.layout == "upstream" and not any(
        isinstance(p, dict) and "secret" in p for p in params
    ):
        # The checkout's format makes `secret` optional; a spec that never uses it leaves
        # secrets to be inferred from parameter names, as its tools do.
        return na("the spec marks no parameter either way; secrets are inferred from names")
    lines = ctx.spec_lines()
    return verdict(
        Hit(
            f"parameter `{p['name']}` looks secret but is not marked secret",
            ctx.paths.connector_spec,
            lines.get(f"name:{p['name']}", 1),
        )
        for p in params
        if isinstance(p, dict)
        and isinstance(p.get("name"), str)
        and (is_secret_key(p["name"]) or p["name"] in documented)
        and p.get("secret") is not True
    )


@check("sec.doc-secrets-marked")
def _doc_secrets_marked(ctx: ReviewContext) -> Outcome:
    params = doc_params(ctx.doc)
    if not params:
        return na("the doc lists no connection parameters")
    return verdict(
        Hit(
            f"parameter `{p.name}` looks secret but is not marked secret",
            ctx.paths.api_doc,
            p.line or 1,
        )
        for p in params
        if is_secret_key(p.name) and not p.secret
    )


@check("sec.dev-config-private")
def _dev_config_private(ctx: ReviewContext) -> Outcome:
    path = ctx.paths.dev_config
    if not path.is_file():
        return na("no configs/dev_config.json")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return verdict([Hit(f"mode is {mode:04o}: others can read it", path, None)])
    return verdict([])


@check("sec.tls-verified")
def _tls_verified(ctx: ReviewContext) -> Outcome:
    hits = []
    for py in http_files(ctx):
        for call in py.calls:
            for kw in call.keywords:
                if (
                    kw.arg == "verify"
                    and isinstance(kw.value, ast.Constant)
                    and kw.value.value is False
                ):
                    hits.append(Hit("`verify=False` turns off TLS checks", py.path, call.lineno))
            if py.call_name(call).endswith("_create_unverified_context"):
                hits.append(Hit("an unverified TLS context", py.path, call.lineno))
    try:
        url = ctx.doc.base_url
    except Unavailable:
        url = None
    if url and url.lower().startswith("http://"):
        host = (urlsplit(url).hostname or "").lower()
        if host not in _LOCAL_HOSTS:
            hits.append(Hit("the documented base URL is plain http", ctx.paths.api_doc, 1))
    return verdict(hits)


@check("sec.no-unsafe-eval")
def _no_unsafe_eval(ctx: ReviewContext) -> Outcome:
    hits = []
    for py in http_files(ctx):
        for call in py.calls:
            name = py.call_name(call)
            if name in _UNSAFE_CALLS:
                hits.append(Hit(f"`{name}(...)`", py.path, call.lineno))
            elif name == "yaml.load":
                loader = next((k.value for k in call.keywords if k.arg == "Loader"), None)
                if loader is None and len(call.args) > 1:
                    loader = call.args[1]
                if loader is None or py.dotted(loader).rsplit(".", 1)[-1] not in _SAFE_YAML_LOADERS:
                    hits.append(Hit("`yaml.load(...)` without a safe loader", py.path, call.lineno))
    return verdict(hits)


@check("sec.no-shell")
def _no_shell(ctx: ReviewContext) -> Outcome:
    hits = []
    for py in http_files(ctx):
        for call in py.calls:
            name = py.call_name(call)
            if name in _SHELL_CALLS:
                hits.append(Hit(f"`{name}(...)`", py.path, call.lineno))
            elif name.startswith("subprocess.") and any(
                k.arg == "shell" and isinstance(k.value, ast.Constant) and k.value.value is True
                for k in call.keywords
            ):
                hits.append(Hit(f"`{name}(..., shell=True)`", py.path, call.lineno))
    return verdict(hits)
