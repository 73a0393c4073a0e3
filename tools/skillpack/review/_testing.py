"""Automatic checks of the testing section: the test file, the write-back utilities, the
simulator spec and the cassettes."""

from __future__ import annotations

import ast

import yaml

from skillpack.errors import InputError
from skillpack.review._checks import check, verdict
from skillpack.review._code import all_methods
from skillpack.review._context import (
    SUITE,
    TESTER,
    WRITE_BACK,
    ReviewContext,
    parse_outcome,
    without_utils,
    without_write_back,
)
from skillpack.review._outcome import Hit, Outcome, Unavailable, failed, na, passed
from skillpack.testing._spec_model import load_spec

_SKIPS = frozenset(
    {
        "pytest.skip",
        "pytest.xfail",
        "pytest.mark.skip",
        "pytest.mark.skipif",
        "pytest.mark.xfail",
        "unittest.skip",
        "unittest.skipIf",
        "unittest.skipUnless",
    }
)


@check("test.file-parses")
def _file_parses(ctx: ReviewContext) -> Outcome:
    return parse_outcome(ctx, ctx.paths.test_file, "test file", "the test file")


def _uses_tester(ctx: ReviewContext) -> bool:
    return any(isinstance(n, ast.Name) and n.id == TESTER for n in ctx.test_py.nodes) or (
        TESTER in ctx.test_py.imports
    )


def _bases(ctx: ReviewContext) -> list[str]:
    cls = ctx.test_class
    return ctx.test_py.base_names(cls) if cls is not None else []


@check("test.generic-suite")
def _generic_suite(ctx: ReviewContext) -> Outcome:
    if SUITE in _bases(ctx):
        return passed()
    if _uses_tester(ctx):
        return passed(f"the upstream {TESTER} runs the generic tests")
    return failed(Hit(f"no test class mixes in {SUITE}", ctx.test_py.path, 1))


@check("test.connector-class-set")
def _connector_class_set(ctx: ReviewContext) -> Outcome:
    expected = ctx.connector.cls.name if ctx.connector.cls else ""
    py, cls = ctx.test_py, ctx.test_class
    if cls is None:
        if _uses_tester(ctx) and any(
            isinstance(n, ast.Name) and n.id == expected for n in py.nodes
        ):
            return passed(f"`{expected}` is handed to the tester")
        return failed(Hit(f"no test class sets connector_class = {expected}", py.path, 1))
    stmt = py.class_assign(cls, "connector_class")
    if stmt is None:
        return failed(Hit(f"`{cls.name}` does not set connector_class", py.path, cls.lineno))
    got = py.dotted(stmt.value).rsplit(".", 1)[-1]
    if got != expected:
        return failed(
            Hit(f"connector_class is `{got}`, not this source's `{expected}`", py.path, stmt.lineno)
        )
    return passed()


@check("test.write-back-mixin")
def _write_back_mixin(ctx: ReviewContext) -> Outcome:
    if (skip := without_write_back(ctx)) is not None:
        return skip
    if WRITE_BACK in _bases(ctx):
        return passed()
    cls = ctx.test_class
    line = cls.lineno if cls is not None else 1
    return failed(
        Hit(
            f"the doc documents write-back but the tests do not mix in {WRITE_BACK}",
            ctx.test_py.path,
            line,
        )
    )


@check("test.write-back-order")
def _write_back_order(ctx: ReviewContext) -> Outcome:
    bases = _bases(ctx)
    if WRITE_BACK not in bases or SUITE not in bases:
        return na(f"the test class does not mix in both {WRITE_BACK} and {SUITE}")
    if bases.index(WRITE_BACK) < bases.index(SUITE):
        return passed()
    cls = ctx.test_class
    assert cls is not None
    return failed(Hit(f"{SUITE} comes before {WRITE_BACK}", ctx.test_py.path, cls.lineno))


@check("test.utils-class-set")
def _utils_class_set(ctx: ReviewContext) -> Outcome:
    if (skip := without_write_back(ctx)) is not None:
        return skip
    cls = ctx.test_class
    if cls is None:
        return failed(Hit("no test class sets test_utils_class", ctx.test_py.path, 1))
    if ctx.test_py.class_assign(cls, "test_utils_class") is None:
        return failed(
            Hit(f"`{cls.name}` does not set test_utils_class", ctx.test_py.path, cls.lineno)
        )
    return passed()


#: top-level modules through which a connector could reach the network
_HTTP_CLIENTS = frozenset(
    {"requests", "httpx", "urllib", "urllib3", "http", "aiohttp", "socket", "grpc", "google"}
)


def _speaks_http(ctx: ReviewContext) -> bool:
    """Whether any module of the source imports an HTTP or socket client."""
    from skillpack.package._deps import scan_imports

    for py in ctx.python_files("source"):
        if any(
            u.module.split(".")[0] in _HTTP_CLIENTS for u in scan_imports(py.tree, py.path.name)
        ):
            return True
    return False


@check("test.offline-run")
def _offline_run(ctx: ReviewContext) -> Outcome:
    ways = []
    if ctx.paths.simulator_spec.is_file():
        ways.append("a simulator spec")
    if ctx.cassettes():
        ways.append("recorded cassettes")
    try:
        cls = ctx.test_class
        if cls is not None and ctx.test_py.class_assign(cls, "local_service") is not None:
            ways.append("a local_service")
        declares = cls is not None and ctx.test_py.class_assign(cls, "simulator_source")
        if declares and ctx.paths.simulator_endpoints.is_file():
            ways.append("a simulator spec (endpoints.yaml + corpus)")
    except Unavailable:
        if not ways:
            raise
    if not ways and not _speaks_http(ctx):
        ways.append("a connector that imports no network client")
    if ways:
        return passed(", ".join(ways))
    return failed(
        Hit(
            "no simulator spec, cassette or local_service: the suite needs the network",
            ctx.paths.test_file,
            1,
        )
    )


@check("test.simulator-spec-valid")
def _simulator_spec_valid(ctx: ReviewContext) -> Outcome:
    path = ctx.paths.simulator_spec
    if not path.is_file():
        return na("no simulator_spec.yaml")
    try:
        load_spec(path)
    except InputError as exc:
        return failed(Hit(str(exc), path, 1, fix=exc.hint or None))
    return passed()


@check("test.cassettes-parse")
def _cassettes_parse(ctx: ReviewContext) -> Outcome:
    files = ctx.cassettes()
    if not files:
        return na("no cassettes recorded")
    hits = []
    for path in files:
        node = ctx.cassette_node(path)
        if node is None:
            hits.append(Hit("not valid YAML", path, 1))
        elif not _has_interactions(node):
            hits.append(Hit("no `interactions` list", path, 1))
    return verdict(hits)


def _has_interactions(node: yaml.Node) -> bool:
    return isinstance(node, yaml.MappingNode) and any(
        k.value == "interactions" and isinstance(v, yaml.SequenceNode) for k, v in node.value
    )


@check("test.utils-no-production")
def _utils_no_production(ctx: ReviewContext) -> Outcome:
    if (skip := without_utils(ctx)) is not None:
        return skip
    try:
        if WRITE_BACK in _bases(ctx):
            return passed(f"{WRITE_BACK} refuses configs marked production")
    except Unavailable:
        pass
    py = ctx.utils_py
    for node in py.nodes:
        if isinstance(node, ast.Name) and node.id == "is_production":
            return passed("the utilities check is_production")
        if isinstance(node, ast.Attribute) and node.attr == "is_production":
            return passed("the utilities check is_production")
    if any(text.lower() in ("production", "prod") for text, _ in py.strings()):
        return passed("the utilities check the environment")
    cls = ctx.utils_class
    return failed(
        Hit("nothing stops the utilities writing to production", py.path, cls.lineno if cls else 1)
    )


def _utils_methods(ctx: ReviewContext) -> tuple[ast.ClassDef, dict[str, ast.FunctionDef]]:
    cls = ctx.utils_class
    if cls is None:
        raise Unavailable("no write-back utilities class (`*TestUtils`) in the utils file")
    return cls, all_methods(ctx.utils_py, cls)


@check("test.utils-methods")
def _utils_methods_check(ctx: ReviewContext) -> Outcome:
    if (skip := without_utils(ctx)) is not None:
        return skip
    cls, methods = _utils_methods(ctx)
    needed = ["list_insertable_tables", "generate_rows_and_write"]
    try:
        if any(t.write and t.write.delete for t in ctx.doc.tables):
            needed += ["list_deletable_tables", "delete_rows"]
    except Unavailable:
        pass
    missing = [m for m in needed if m not in methods]
    if missing:
        listed = ", ".join(f"`{m}`" for m in missing)
        return failed(Hit(f"`{cls.name}` lacks {listed}", ctx.utils_py.path, cls.lineno))
    return passed()


@check("test.utils-cleanup")
def _utils_cleanup(ctx: ReviewContext) -> Outcome:
    if (skip := without_utils(ctx)) is not None:
        return skip
    cls, methods = _utils_methods(ctx)
    if "cleanup" in methods:
        return passed()
    if ctx.paths.layout == "upstream" and not _imports_pack_utils(ctx):
        return na("the checkout's write-back contract has no cleanup() step")
    return failed(Hit(f"`{cls.name}` has no cleanup()", ctx.utils_py.path, cls.lineno))


def _imports_pack_utils(ctx: ReviewContext) -> bool:
    """True when the utilities build on the pack's base class, whose suite calls cleanup()."""
    for node in ast.walk(ctx.utils_py.tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("skillpack"):
            return True
        if isinstance(node, ast.Import) and any(a.name.startswith("skillpack") for a in node.names):
            return True
    return False


@check("test.utils-test-prefix")
def _utils_test_prefix(ctx: ReviewContext) -> Outcome:
    if (skip := without_utils(ctx)) is not None:
        return skip
    py = ctx.utils_py
    if any(text.lower().startswith(("test_", "test-")) for text, _ in py.strings()):
        return passed()
    cls = ctx.utils_class
    return failed(Hit("generated rows carry no `test_` prefix", py.path, cls.lineno if cls else 1))


@check("test.no-sleeps")
def _no_sleeps(ctx: ReviewContext) -> Outcome:
    files = ctx.python_files("tests")
    if not files:
        raise Unavailable("no Python files beside the tests")
    return verdict(
        Hit("`sleep(...)` in a test", py.path, call.lineno)
        for py in files
        for call in py.calls
        if py.call_name(call) in ("time.sleep", "asyncio.sleep")
    )


@check("test.no-skips")
def _no_skips(ctx: ReviewContext) -> Outcome:
    py = ctx.test_py
    hits = []
    for node in py.nodes:
        if isinstance(node, ast.Attribute) and py.dotted(node) in _SKIPS:
            hits.append(Hit(f"`{py.dotted(node)}`", py.path, node.lineno))
    return verdict(sorted(set(hits), key=lambda h: (h.line or 0, h.message)))
