"""The rooms of the package and the one direction of imports between them, pinned.

Rank of each room, lowest first; a module may import its own room and rooms of a lower or
equal rank, never a higher one, and the graph of modules has no circle::

    errors, layout, flavour, registry, inputs, limits, scratch   the base every room may use
    sdk                                     what a connector imports at run time
    testing, spark, examples                suites, simulator, adapters over the SDK
    apidoc implement writeback suite auth package review   one room per step
    create                                  the orchestrator over the steps
    cli, mcp, tools, install                the front doors
"""

from __future__ import annotations

import ast
from pathlib import Path

import skillpack

PACKAGE = Path(skillpack.__file__).resolve().parent
STEPS = ("apidoc", "implement", "writeback", "suite", "auth", "package", "review", "incremental")
RANK = {
    "errors": 0, "layout": 0, "registry": 0, "inputs": 0, "limits": 0, "scratch": 0, "flavour": 0,
    "__init__": 0,
    "sdk": 1,
    "testing": 2, "spark": 2, "examples": 2,
    **dict.fromkeys(STEPS, 3),
    "create": 4,
    "cli": 5, "mcp": 5, "tools": 5, "install": 5, "__main__": 5, "reports": 5,
}  # fmt: skip


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _targets(node: ast.AST) -> set[str]:
    """skillpack modules an import statement loads (``from pkg import mod`` counts ``mod``)."""
    found: set[str] = set()
    if isinstance(node, ast.Import):
        found.update(a.name for a in node.names)
    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
        for alias in node.names:
            sub = f"{node.module}.{alias.name}"
            # `from pkg import submodule` loads the submodule; anything else loads `pkg`
            found.add(sub if sub in MODULES else node.module)
    return {m for m in found if m in MODULES}


def imports_of(module: str) -> set[str]:
    """Every skillpack module ``module`` imports anywhere in its text, lazily or not."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        out |= _targets(node)
    return out - {module}


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def find_cycles() -> list[list[str]]:
    """Each strongly connected group of two or more modules (Tarjan), sorted."""
    graph = {m: imports_of(m) for m in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for m in sorted(graph):
        if m not in index:
            visit(m)
    return sorted(groups)


def test_every_room_has_a_rank():
    assert sorted({room(m) for m in MODULES} - set(RANK)) == []


def test_no_import_circles():
    assert find_cycles() == []


def test_imports_go_one_way_only():
    wrong = []
    for module in sorted(MODULES):
        for target in imports_of(module):
            if RANK[room(target)] > RANK[room(module)]:
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_the_walk_sees_real_imports():
    # The checks above mean something only if they find the imports that do exist.
    assert "skillpack.sdk.http" in imports_of("skillpack.testing.declarative")
    assert "skillpack.implement._templates" in imports_of("skillpack.implement._code")


def test_a_planted_circle_is_found(tmp_path, monkeypatch):
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("import skillpack.zz_b\n")
    b.write_text("def f():\n    from skillpack.zz_a import x\n")
    monkeypatch.setitem(MODULES, "skillpack.zz_a", a)
    monkeypatch.setitem(MODULES, "skillpack.zz_b", b)
    assert ["skillpack.zz_a", "skillpack.zz_b"] in find_cycles()


def test_sdk_never_reaches_the_tools():
    # A connector imports the SDK at run time; nothing above it may come along.
    reach, todo = set(), ["skillpack.sdk"]
    while todo:
        m = todo.pop()
        if m in reach:
            continue
        reach.add(m)
        todo += [t for t in imports_of(m) if t.startswith("skillpack.")]
    assert {room(m) for m in reach} <= {"__init__", "errors", "sdk"}
