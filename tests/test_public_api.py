"""The public surface and the one direction of imports are pinned here.

Growing ``skillpack.__all__`` is an API decision; so is an import that goes the wrong
way (sdk <- testing <- tools <- cli / mcp / orchestrator).
"""

from __future__ import annotations

import ast
from pathlib import Path

import skillpack

PACKAGE = Path(skillpack.__file__).resolve().parent

#: layer -> layers it must never import
FORBIDDEN = {
    "sdk": ("skillpack.testing", "skillpack.tools", "skillpack.cli", "skillpack.mcp",
            "skillpack.orchestrator"),
    "testing": ("skillpack.tools", "skillpack.cli", "skillpack.mcp", "skillpack.orchestrator"),
    "tools": ("skillpack.cli", "skillpack.mcp", "skillpack.orchestrator"),
}  # fmt: skip


def test_top_level_exports_are_exactly_these():
    assert sorted(skillpack.__all__) == [
        "AuthError",
        "GateFailed",
        "InputError",
        "SkillpackError",
        "SourceError",
        "__version__",
    ]
    for name in skillpack.__all__:
        assert hasattr(skillpack, name)


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_imports_go_one_way_only():
    wrong = []
    for layer, forbidden in FORBIDDEN.items():
        for path in sorted((PACKAGE / layer).rglob("*.py")):
            for module in _imports(path):
                if module.startswith(forbidden):
                    wrong.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert wrong == []


def test_the_walk_sees_real_imports():
    # The check above is only meaningful if it finds the imports that do exist.
    assert "skillpack.sdk.http" in _imports(PACKAGE / "testing" / "declarative.py")
