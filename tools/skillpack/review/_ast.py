"""A parsed Python file and the small AST questions the review checks ask of it.

Everything is read statically with :mod:`ast`; nothing of the reviewed source is imported
or run. Module-level names bound once (``_TABLES = {...}``, ``CURSOR = "id"``) are followed,
so a literal written through a constant is still a literal::

    py = PyFile.parse(path)
    py.const_str(py.resolve(node))       # "last_modified" for `CURSOR_FIELD`
    py.dotted(call.func)                 # "requests.get" for `requests.get(...)`
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from skillpack.review._outcome import Unavailable

#: calls a literal is seen through: `list(_TABLES)` lists `_TABLES`
_SEEN_THROUGH = ("list", "sorted", "tuple")
#: how many module-level names to follow from one reference (cycles stop here too)
_MAX_HOPS = 8


@dataclass
class PyFile:
    """A Python file's syntax tree, module-level bindings and imports."""

    path: Path
    tree: ast.Module
    constants: dict[str, ast.expr] = field(default_factory=dict)
    imports: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, path: Path, label: str) -> PyFile:
        """Parse ``path``; :class:`Unavailable` naming ``label`` if it is missing or broken."""
        if not path.is_file():
            raise Unavailable(f"no {label} at `{path.name}`")
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as exc:
            raise Unavailable(f"{label} `{path.name}` does not parse (line {exc.lineno})") from None
        except (UnicodeDecodeError, ValueError):
            raise Unavailable(f"{label} `{path.name}` is not UTF-8 Python text") from None
        py = cls(path, tree)
        py._index()
        return py

    def _index(self) -> None:
        counts: dict[str, int] = {}
        for stmt in self.tree.body:
            targets: list[ast.expr] = []
            value: ast.expr | None = None
            if isinstance(stmt, ast.Assign):
                targets, value = stmt.targets, stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                targets, value = [stmt.target], stmt.value
            for t in targets:
                if isinstance(t, ast.Name) and value is not None:
                    counts[t.id] = counts.get(t.id, 0) + 1
                    self.constants[t.id] = value
        # A name bound twice at module level is not a constant.
        for name, n in counts.items():
            if n > 1:
                del self.constants[name]
        for node in self.nodes:
            if isinstance(node, ast.Import):
                for a in node.names:
                    local = a.asname or a.name.split(".")[0]
                    self.imports[local] = a.name if a.asname else a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    self.imports[a.asname or a.name] = f"{node.module}.{a.name}"

    @cached_property
    def nodes(self) -> list[ast.AST]:
        """Every node of the tree, breadth first."""
        return list(ast.walk(self.tree))

    @cached_property
    def calls(self) -> list[ast.Call]:
        """Every call in the file, in source order."""
        found = [n for n in self.nodes if isinstance(n, ast.Call)]
        return sorted(found, key=lambda c: (c.lineno, c.col_offset))

    @cached_property
    def classes(self) -> dict[str, ast.ClassDef]:
        """Module-level classes by name."""
        return {n.name: n for n in self.tree.body if isinstance(n, ast.ClassDef)}

    # ------------------------------------------------------------------ names

    def resolve(self, node: ast.expr | None) -> ast.expr | None:
        """``node``, or what the module-level name it is bound to, followed a few hops."""
        for _ in range(_MAX_HOPS):
            if isinstance(node, ast.Name) and node.id in self.constants:
                node = self.constants[node.id]
            else:
                break
        return node

    def const_str(self, node: ast.expr | None) -> str | None:
        """The string ``node`` stands for, following module-level names; else ``None``."""
        node = self.resolve(node)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        return None

    def str_items(self, node: ast.expr | None) -> list[tuple[str, int]] | None:
        """``(value, line)`` of a literal list/tuple/set of strings, or a dict's string keys.

        ``list(X)``, ``sorted(X)``, ``tuple(X)`` and ``X.keys()`` are seen through. ``None``
        when any element is not a literal string.
        """
        node = self.resolve(node)
        if isinstance(node, ast.Call) and not node.keywords:
            func = node.func
            if isinstance(func, ast.Name) and func.id in _SEEN_THROUGH and len(node.args) == 1:
                return self.str_items(node.args[0])
            if isinstance(node.func, ast.Attribute) and node.func.attr == "keys" and not node.args:
                return self.str_items(node.func.value)
        if isinstance(node, ast.Dict):
            elts: list[ast.expr | None] = list(node.keys)
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            elts = list(node.elts)
        else:
            return None
        out: list[tuple[str, int]] = []
        for e in elts:
            if isinstance(e, ast.Starred):
                inner = self.str_items(e.value)
                if inner is None:
                    return None
                out.extend(inner)
                continue
            value = self.const_str(e)
            if value is None or e is None:
                return None
            out.append((value, e.lineno))
        return out

    def dotted(self, node: ast.expr) -> str:
        """Dotted name of a reference, with its import origin: `requests.get`, `self._c.get`."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name):
            parts.append(self.imports.get(node.id, node.id))
        elif isinstance(node, ast.Call):
            parts.append(self.dotted(node.func) + "()")
        else:
            parts.append("?")
        return ".".join(reversed(parts))

    def call_name(self, call: ast.Call) -> str:
        """The dotted name a call calls."""
        return self.dotted(call.func)

    # ---------------------------------------------------------------- helpers

    def methods(self, cls: ast.ClassDef) -> dict[str, ast.FunctionDef]:
        """Methods defined in ``cls``'s own body."""
        return {
            n.name: n
            for n in cls.body
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))  # type: ignore[misc]
        }

    def base_names(self, cls: ast.ClassDef) -> list[str]:
        """The last dotted part of each base: `Tests` for `suite.Tests`."""
        out = []
        for b in cls.bases:
            name = self.dotted(b)
            out.append(name.rsplit(".", 1)[-1])
        return out

    def class_assign(self, cls: ast.ClassDef, name: str) -> ast.Assign | ast.AnnAssign | None:
        """The statement binding ``name`` in ``cls``'s body, if any."""
        for stmt in cls.body:
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in stmt.targets
            ):
                return stmt
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and stmt.target.id == name
                and stmt.value is not None
            ):
                return stmt
        return None

    def find(self, node: ast.AST, wanted: type, *, follow: bool = True) -> Iterator[ast.AST]:
        """Nodes of type ``wanted`` under ``node``, breadth first, following module names."""
        seen: set[int] = set()
        queue: list[ast.AST] = [node]
        while queue:
            current = queue.pop(0)
            if id(current) in seen:
                continue
            seen.add(id(current))
            if isinstance(current, wanted):
                yield current
            if follow and isinstance(current, ast.Name) and current.id in self.constants:
                queue.append(self.constants[current.id])
            queue.extend(ast.iter_child_nodes(current))

    def strings(self) -> Iterator[tuple[str, int]]:
        """Every string constant (and literal f-string piece) with its line."""
        for node in self.nodes:
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield node.value, node.lineno
