"""Wire write-back into a source's test file with libcst (a syntax-aware edit).

The test class gains ``LakeflowConnectWriteBackTests`` as its first base (the mixin's
``setup_class`` must run first and chain to the generic suite) and a
``test_utils_class`` assignment; the imports those need are added. Everything else
in the file, comments included, is kept. A file already wired is left byte-identical.
"""

from __future__ import annotations

import libcst as cst

MIXIN = "LakeflowConnectWriteBackTests"
SUITE = "LakeflowConnectTests"
#: where an upstream checkout's test files import the two suites from
UPSTREAM_SUITE = "tests.unit.sources.test_suite"
UPSTREAM_WRITE_BACK_SUITE = "tests.unit.sources.test_write_back_suite"


def _name_of(expr: cst.BaseExpression) -> str:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return ""


def _imported_names(module: cst.Module) -> set[str]:
    names: set[str] = set()
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    names.add(alias.evaluated_alias or _name_of(alias.name))
    return names


class _WireClass(cst.CSTTransformer):
    def __init__(self, utils_class: str) -> None:
        self.utils_class = utils_class
        self.found = False

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        bases = [_name_of(arg.value) for arg in updated.bases]
        if SUITE not in bases or self.found:
            return updated
        self.found = True
        if bases[0] != MIXIN:
            others = [arg for arg in updated.bases if _name_of(arg.value) != MIXIN]
            mixin = cst.Arg(
                cst.Name(MIXIN), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            )
            last = others[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            updated = updated.with_changes(bases=[mixin, *others[:-1], last])
        return self._set_utils(updated)

    def _set_utils(self, cls: cst.ClassDef) -> cst.ClassDef:
        body = list(cls.body.body)
        value = cst.Name(self.utils_class)
        for i, stmt in enumerate(body):
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            small = stmt.body[0]
            if (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and _name_of(small.targets[0].target) == "test_utils_class"
            ):
                if _name_of(small.value) == self.utils_class:
                    return cls
                body[i] = stmt.with_changes(body=[small.with_changes(value=value)])
                return cls.with_changes(body=cls.body.with_changes(body=body))
        assign = cst.SimpleStatementLine(
            [cst.Assign([cst.AssignTarget(cst.Name("test_utils_class"))], value)]
        )
        at = next(
            (
                i + 1
                for i, stmt in enumerate(body)
                if isinstance(stmt, cst.SimpleStatementLine)
                and isinstance(stmt.body[0], cst.Assign)
                and _name_of(stmt.body[0].targets[0].target) == "connector_class"
            ),
            len(body),
        )
        body.insert(at, assign)
        return cls.with_changes(body=cls.body.with_changes(body=body))


def _module_of(stmt: cst.BaseStatement) -> str | None:
    if isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.ImportFrom):
        small = stmt.body[0]
        if small.module is not None and not small.relative:
            return cst.Module([]).code_for_node(small.module)
    return None


def _add_import(module: cst.Module, line: str, before_name: str) -> cst.Module:
    """Insert ``line`` where isort would: before the first later-sorting third-party import,
    else before the import that brings ``before_name``, else after the last import."""
    new = cst.parse_statement(line)
    new_module = _module_of(new) or ""
    body = list(module.body)
    position = None
    fallback = None
    last_import = None
    for i, stmt in enumerate(body):
        if not (
            isinstance(stmt, cst.SimpleStatementLine)
            and isinstance(stmt.body[0], (cst.Import, cst.ImportFrom))
        ):
            continue
        last_import = i
        name = _module_of(stmt)
        if (
            position is None
            and name
            and not name.startswith(("skillpack", "__future__"))
            and name > new_module
        ):
            position = i
        small = stmt.body[0]
        brings = (
            isinstance(small, cst.ImportFrom)
            and not isinstance(small.names, cst.ImportStar)
            and before_name in {_name_of(a.name) for a in small.names}
        )
        if brings and fallback is None:
            fallback = i
    if position is None:
        position = fallback
    if position is None:
        position = (last_import + 1) if last_import is not None else 0
    body.insert(position, new)
    return module.with_changes(body=body)


def _merge_mixin_import(module: cst.Module, fallback: str) -> cst.Module:
    """Add the mixin to the import that brings the generic suite, else add ``fallback``."""
    body = list(module.body)
    for i, stmt in enumerate(body):
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        small = stmt.body[0]
        if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
            names = [_name_of(a.name) for a in small.names]
            if SUITE in names and small.module is not None:
                if cst.Module([]).code_for_node(small.module) == UPSTREAM_SUITE:
                    # the checkout keeps the write-back mixin in a module of its own
                    # (its name sorts right after test_suite's, so the line goes below it)
                    line = f"from {UPSTREAM_WRITE_BACK_SUITE} import {MIXIN}"
                    body.insert(i + 1, cst.parse_statement(line))
                    return module.with_changes(body=body)
                merged = sorted({*names, MIXIN})
                aliases = [cst.ImportAlias(cst.Name(n)) for n in merged]
                for j in range(len(aliases) - 1):
                    aliases[j] = aliases[j].with_changes(
                        comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                    )
                body[i] = stmt.with_changes(
                    body=[small.with_changes(names=aliases, lpar=None, rpar=None)]
                )
                return module.with_changes(body=body)
    return _add_import(module, fallback, SUITE)


def wire_test_file(source: str, *, utils_class: str, utils_import: str, mixin_import: str) -> str:
    """Return ``source`` with write-back wired in (unchanged if it already is).

    ``utils_import`` and ``mixin_import`` are full import lines used when a name is missing.
    Raises ``ValueError`` when no class derives from ``LakeflowConnectTests``.
    """
    module = cst.parse_module(source)
    wire = _WireClass(utils_class)
    updated = module.visit(wire)
    if not wire.found:
        raise ValueError(f"no test class derives from `{SUITE}`")
    names = _imported_names(updated)
    if MIXIN not in names:
        updated = _merge_mixin_import(updated, mixin_import)
    if utils_class not in names:
        updated = _add_import(updated, utils_import, SUITE)
    return updated.code
