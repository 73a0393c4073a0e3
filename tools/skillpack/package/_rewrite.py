"""Code-level pieces of the single-file merge: the rewriting transformer and the import block.

``Rewrite`` applies a plan worked out by ``_package_merge`` (which names to rename, which
imports to drop) to one module's tree. ``import_block`` writes the hoisted imports the way
ruff's isort rules order them, so the merged file passes ``ruff check`` as generated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import libcst as cst

from skillpack.package._deps import is_stdlib

LINE_LENGTH = 100
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def dotted(node: cst.BaseExpression | None) -> str:
    """The dotted name an import names (``a.b.c``); ``""`` for none."""
    if node is None:
        return ""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{dotted(node.value)}.{node.attr.value}"
    raise TypeError(type(node).__name__)


class Rewrite(cst.CSTTransformer):
    """Renames what was planned, drops the planned imports, docstring and ``__all__``."""

    METADATA_DEPENDENCIES = ()

    def __init__(self, renames: dict[int, str], drop: set[int], module_renames: dict[str, str]):
        super().__init__()
        self.renames = renames
        self.drop = drop
        self.module_renames = module_renames
        self.in_annotation = 0

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        new = self.renames.get(id(original))
        return updated.with_changes(value=new) if new else updated

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self.in_annotation += 1

    def leave_Annotation(self, original: cst.Annotation, updated: cst.Annotation) -> cst.Annotation:
        self.in_annotation -= 1
        return updated

    def leave_SimpleString(
        self, original: cst.SimpleString, updated: cst.SimpleString
    ) -> cst.SimpleString:
        # A quoted annotation names module-level things by text; rename those words too.
        if not self.in_annotation or not self.module_renames:
            return updated
        value = WORD.sub(lambda m: self.module_renames.get(m.group(), m.group()), updated.value)
        return updated.with_changes(value=value)

    def leave_Global(self, original: cst.Global, updated: cst.Global) -> cst.Global:
        names = [
            n.with_changes(name=cst.Name(self.module_renames.get(n.name.value, n.name.value)))
            for n in updated.names
        ]
        return updated.with_changes(names=names)

    def leave_Import(
        self, original: cst.Import, updated: cst.Import
    ) -> cst.Import | cst.RemovalSentinel:
        return cst.RemoveFromParent() if id(original) in self.drop else updated

    def leave_ImportFrom(
        self, original: cst.ImportFrom, updated: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        if id(original) in self.drop or dotted(original.module) == "__future__":
            return cst.RemoveFromParent()
        return updated

    def leave_IndentedBlock(
        self, original: cst.IndentedBlock, updated: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        if updated.body:
            return updated
        return updated.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        body = list(updated.body)
        if body and _is_docstring(body[0]):
            body = body[1:]
        body = [s for s in body if not _is_dunder_all(s)]
        return updated.with_changes(body=body, header=[])


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _is_dunder_all(stmt: cst.BaseStatement) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine):
        return False
    for small in stmt.body:
        targets: Sequence[cst.BaseExpression] = ()
        if isinstance(small, cst.Assign):
            targets = [t.target for t in small.targets]
        elif isinstance(small, (cst.AugAssign, cst.AnnAssign)):
            targets = [small.target]
        if any(isinstance(t, cst.Name) and t.value == "__all__" for t in targets):
            return True
    return False


def body_text(module: cst.Module) -> str:
    """A rewritten module's statements, without blank lines around them."""
    text = "".join(module.code_for_node(stmt) for stmt in module.body)
    return text.strip("\n") + "\n" if text.strip() else ""


# --- the import block -----------------------------------------------------------------------


def _member_key(name: str) -> tuple[int, str, str]:
    # isort's order-by-type, as ruff applies it: CONSTANTS, Classes, then everything else.
    if name.isupper() and len(name) > 1:
        rank = 0
    elif name[:1].isupper():
        rank = 1
    else:
        rank = 2
    return rank, name.lower(), name


def _from_line(module: str, members: list[str]) -> str:
    line = f"from {module} import {', '.join(members)}"
    if len(line) <= LINE_LENGTH:
        return line
    inner = "".join(f"    {m},\n" for m in members)
    return f"from {module} import (\n{inner})"


def import_block(hoisted: dict[str, set[tuple[str, str]]]) -> str:
    """The hoisted imports as isort (ruff's ``I`` rules) would write them: stdlib, then others."""
    sections: dict[bool, list[tuple[int, str, tuple[int, str, str], str]]] = {True: [], False: []}
    for module, local in hoisted.get("", set()):
        text = (
            f"import {module}" if module.split(".")[0] == local else f"import {module} as {local}"
        )
        key = (0, module.lower(), (0, "" if module.split(".")[0] == local else local, ""), text)
        sections[is_stdlib(module.split(".")[0])].append(key)
    for module, pairs in hoisted.items():
        if not module:
            continue
        plain = sorted({m for m, local in pairs if m == local}, key=_member_key)
        stdlib = is_stdlib(module.split(".")[0])
        if plain:
            text = _from_line(module, plain)
            sections[stdlib].append((1, module.lower(), _member_key(plain[0]), text))
        for member, local in sorted(pairs):
            if member != local:
                text = f"from {module} import {member} as {local}"
                sections[stdlib].append((1, module.lower(), _member_key(member), text))
    blocks = [
        "\n".join(entry[3] for entry in sorted(sections[flag]))
        for flag in (True, False)
        if sections[flag]
    ]
    return "\n\n".join(blocks)
