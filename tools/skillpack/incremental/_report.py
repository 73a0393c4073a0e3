"""Where to fix a failed check (``file:line``) and the Markdown report, one section per mode.

The report is ``tests/sources/NAME/INCREMENTAL_SYNC.md`` beside the suites. Each run rewrites
only the section of its own mode (``## simulate``, ``## record`` or ``## live``) and keeps the
others, so the offline and the live run sit side by side, a row per table.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

TITLE = "# Incremental sync"
_SECTION = re.compile(r"^## (\w+)\s*$", re.M)
#: a line that bounds a read, for `window-cap-ignored`
_WINDOW = re.compile(r"_window|_init_time|window|\.cap\(")


def locate(
    check: dict[str, Any], connector_file: Path, workspace: Path, source_files: list[Path]
) -> str | None:
    """``path:line`` (relative to the workspace) to look at for a failed check."""
    for path, line in reversed(check.get("frames") or []):
        p = Path(path).resolve()
        if any(p == f.resolve() for f in source_files):
            return _rel(p, workspace, line)
    method = check.get("method") or "read_table"
    try:
        tree = ast.parse(connector_file.read_text(encoding="utf-8"))
        lines = connector_file.read_text(encoding="utf-8").splitlines()
    except (OSError, SyntaxError):
        return None
    fn = _function(tree, method)
    if fn is None:
        return _rel(connector_file, workspace, 1)
    line = _anchor(fn, lines, check.get("code") or "", tree)
    return _rel(connector_file, workspace, line)


def _function(tree: ast.AST, name: str) -> ast.FunctionDef | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    return None


def _anchor(fn: ast.FunctionDef, lines: list[str], code: str, tree: ast.AST) -> int:
    """The line inside ``fn`` a failure of ``code`` is most likely about."""
    body = range(fn.lineno, (fn.end_lineno or fn.lineno) + 1)
    if code == "window-cap-ignored":
        return next((n for n in body if _WINDOW.search(lines[n - 1])), fn.lineno)
    if code.startswith("midpoint"):
        for node in ast.walk(fn):
            if isinstance(node, ast.Compare) and any(
                isinstance(op, (ast.Gt, ast.GtE, ast.Lt, ast.LtE)) for op in node.ops
            ):
                return node.lineno
        return next(
            (n for n in body if "since" in lines[n - 1] or "cursor" in lines[n - 1]), fn.lineno
        )
    if code.startswith(("offset", "reread", "delete")):
        # The offset a read returns: the last `return` of the method.
        returns = [n for n in ast.walk(fn) if isinstance(n, ast.Return)]
        if returns:
            return max(r.lineno for r in returns)
    return fn.lineno


def _rel(path: Path, workspace: Path, line: int) -> str:
    try:
        shown = path.resolve().relative_to(workspace.resolve())
    except ValueError:
        shown = path
    return f"{shown}:{line}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def section(mode: str, tables: list[dict[str, Any]], stamp: str) -> str:
    """The Markdown section of one run."""
    out = [
        f"## {mode}",
        "",
        f"Run {stamp}. A row per incremental table; `ok`, `FAIL` or `skip` per check.",
        "",
        "| table | type | offset | records | offsets | reread | midpoint | changes | window "
        "| deletes | boundary duplicates |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    notes: list[str] = []
    for t in tables:
        by = {c["name"]: c for c in t["checks"]}
        cells = []
        for name in ("offsets", "reread", "midpoint", "changes", "window", "deletes"):
            c = by.get(name)
            cells.append(
                "-"
                if c is None
                else {"passed": "ok", "failed": "FAIL", "skipped": "skip"}[c["status"]]
            )
            if c is not None and c["status"] == "failed":
                where = f" (fix at `{c['location']}`)" if c.get("location") else ""
                notes.append(f"- `{t['table']}` {name}: {c['message']}{where}")
            elif c is not None and c["status"] == "skipped":
                notes.append(f"- `{t['table']}` {name} skipped: {c['message']}")
        dups = ", ".join(f"`{k}`" for k in t["boundary_duplicates"][:5]) or "none"
        if len(t["boundary_duplicates"]) > 5:
            dups += f" (+{len(t['boundary_duplicates']) - 5})"
        out.append(
            f"| `{t['table']}` | {t['ingestion_type']} | {t['offset_shape']} | {t['records']} | "
            + " | ".join(cells)
            + f" | {_cell(dups)} |"
        )
    if not tables:
        out.append("| (no incremental tables) | | | | | | | | | | |")
    if notes:
        out += ["", *(_cell(n) for n in notes)]
    return "\n".join(out) + "\n"


def write_report(path: Path, mode: str, text: str) -> None:
    """Replace the ``## mode`` section of the report at ``path`` (created if missing)."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    sections: dict[str, str] = {}
    marks = list(_SECTION.finditer(old))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(old)
        sections[m.group(1)] = old[m.start() : end].rstrip() + "\n"
    sections[mode] = text
    order = [m for m in ("simulate", "record", "live") if m in sections]
    intro = (
        f"{TITLE}\n\nWritten by `skillpack incremental` (the validate_incremental_sync tool): "
        "offsets, re-reads, a mid-point cursor, changes and deletes between reads, and the "
        "read window, per incremental table.\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(intro + "".join(f"\n{sections[m]}" for m in order), encoding="utf-8")
