"""Python literals and calls laid out as ``ruff format`` lays them out, without running ruff.

An expression is written on one line when it fits in :data:`FIT` columns; otherwise it is
exploded one item per line with a trailing comma. The trailing comma is "magic" to ruff: it
keeps the item list exploded whatever the configured line length, and a one-liner of at most
88 columns is left alone by ruff at line length 88 and 100 alike. So the output is stable under
ruff's default and under this project's settings, and formatting it twice changes nothing.

Lines can carry anchors (any hashable) so a caller learns where a given value landed::

    w = Writer()
    w.expr(Dict([("a", 1, "anchor-a")]), prefix="X = ")
    w.anchors["anchor-a"]   # 2: the 1-based line of `"a": 1,`
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

#: the widest one-line expression (ruff's default line length)
FIT = 88
_INDENT = "    "


@dataclass(frozen=True)
class Raw:
    """Source text used as-is (a name, or an expression already formatted)."""

    text: str


@dataclass(frozen=True)
class Call:
    """``func(arg, ..., name=value, ...)``."""

    func: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class List:
    """``[item, ...]``."""

    items: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Dict:
    """``{key: value, ...}``; each entry may carry an anchor (or ``None``)."""

    items: tuple[tuple[Any, Any, Hashable | None], ...] = ()


def literal(value: Any) -> str:
    """A Python literal for ``value`` (str, int, float, bool, None), double-quoted as ruff does."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, str):
        return _string(value)
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    raise TypeError(f"no literal for {type(value).__name__}")


def _string(value: str) -> str:
    # ruff keeps double quotes unless the text holds more double than single quotes
    quote = "'" if value.count('"') > value.count("'") else '"'
    out = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == quote:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 32 or ord(ch) == 127:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return quote + "".join(out) + quote


def flat(expr: Any) -> str:
    """``expr`` on one line."""
    if isinstance(expr, Call):
        parts = [flat(a) for a in expr.args] + [f"{k}={flat(v)}" for k, v in expr.kwargs]
        return f"{expr.func}({', '.join(parts)})"
    if isinstance(expr, List):
        return "[" + ", ".join(flat(i) for i in expr.items) + "]"
    if isinstance(expr, Dict):
        return "{" + ", ".join(f"{flat(k)}: {flat(v)}" for k, v, _ in expr.items) + "}"
    return literal(expr)


def _anchors(expr: Any) -> list[Hashable]:
    """Anchors of the entries nested in ``expr`` (they share its line when it fits on one)."""
    if isinstance(expr, Dict):
        out = [m for _, _, m in expr.items if m is not None]
        return out + [m for _, v, _ in expr.items for m in _anchors(v)]
    if isinstance(expr, List):
        return [m for i in expr.items for m in _anchors(i)]
    if isinstance(expr, Call):
        return [m for a in (*expr.args, *(v for _, v in expr.kwargs)) for m in _anchors(a)]
    return []


@dataclass
class Writer:
    """Accumulates lines, remembering the line each anchor was written on."""

    lines: list[str] = field(default_factory=list)
    anchors: dict[Hashable, int] = field(default_factory=dict)

    def line(self, text: str = "", anchor: Hashable | None = None) -> None:
        """Add one line (trailing spaces are never written)."""
        self.lines.append(text.rstrip())
        if anchor is not None:
            self.anchors[anchor] = len(self.lines)

    def block(self, text: str) -> None:
        """Add several lines at once (a dedented block of fixed code)."""
        for line in text.split("\n"):
            self.line(line)

    def expr(
        self,
        expr: Any,
        *,
        prefix: str = "",
        suffix: str = "",
        indent: str = "",
        anchor: Hashable | None = None,
    ) -> None:
        """Write ``indent + prefix + expr + suffix``, exploded when it does not fit."""
        one = f"{indent}{prefix}{flat(expr)}{suffix}"
        empty = isinstance(expr, (List, Dict)) and not expr.items
        if len(one) <= FIT or empty or not isinstance(expr, (Call, List, Dict)):
            self.line(one, anchor)
            for mark in _anchors(expr):
                self.anchors[mark] = len(self.lines)
            return
        inner = indent + _INDENT
        if isinstance(expr, Call):
            self.line(f"{indent}{prefix}{expr.func}(", anchor)
            for a in expr.args:
                self.expr(a, suffix=",", indent=inner)
            for k, v in expr.kwargs:
                self.expr(v, prefix=f"{k}=", suffix=",", indent=inner)
            self.line(f"{indent}){suffix}")
        elif isinstance(expr, List):
            self.line(f"{indent}{prefix}[", anchor)
            for i in expr.items:
                self.expr(i, suffix=",", indent=inner)
            self.line(f"{indent}]{suffix}")
        else:
            self.line(f"{indent}{prefix}{{", anchor)
            for k, v, mark in expr.items:
                self.expr(v, prefix=f"{flat(k)}: ", suffix=",", indent=inner, anchor=mark)
            self.line(f"{indent}}}{suffix}")

    def text(self) -> str:
        """Everything written, ending in one newline."""
        return "\n".join(self.lines).rstrip("\n") + "\n"


def import_lines(module: str, name: str) -> list[str]:
    """``from module import name``, parenthesised over three lines when it does not fit."""
    one = f"from {module} import {name}"
    return [one] if len(one) <= FIT else [f"from {module} import (", f"{_INDENT}{name},", ")"]
