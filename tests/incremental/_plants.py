"""Copies of the bundled sources with one incremental-sync bug planted in the connector.

Each plant is a text edit of the real connector file, so the tool meets the bug where a
developer would write it, and its `path:line` can be checked against the edited line.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from skillpack.layout import bundled_workspace


@dataclass(frozen=True)
class Plant:
    """A bug: the text it replaces, its replacement, the table, and what must be reported."""

    old: str
    new: str
    table: str
    check: str
    code: str
    #: words the failure message must hold
    says: str
    #: text of the line the reported location must point at
    line_has: str


_EX_READ = "        cursor = cursor_from_offset(start_offset)\n        records = self._fetch("
_EX_RETURN = 'return iter(records), advance_offset(start_offset, records, meta["cursor_field"])'
_EX_CAP = '        records = self._window.cap(table_name, records, meta["cursor_field"], cursor)\n'
_EX_DELETES = 'return iter(tombstones), advance_offset(start_offset, tombstones, "deleted_at")'

#: a "next id" offset whose read compares with `>` where the offset means "from here on"
_EX_NEXT_SEQ = """        if table_name == "events":
            start = cursor_from_offset(start_offset, "next")
            rows = [e for e in self._fetch(path, {}) if start is None or e["seq"] > start]
            rows = self._window.cap(table_name, rows, "seq", None)
            top = max((e["seq"] for e in rows), default=None)
            return iter(rows), {"next": top + 1} if top is not None else dict(start_offset or {})
"""

EXAMPLE: dict[str, Plant] = {
    "cursor-gt-not-ge": Plant(
        _EX_READ, _EX_NEXT_SEQ + _EX_READ, "events", "midpoint", "midpoint-lost",
        "with `>` where", 'e["seq"] > start',
    ),
    "offset-not-advanced": Plant(
        _EX_RETURN, "return iter(records), dict(start_offset or {})", "customers", "offsets",
        "offset-not-advanced", "returned the same offset", "dict(start_offset or {})",
    ),
    "offset-backwards": Plant(
        _EX_RETURN,
        'return iter(records), {"cursor": records[-1]["updated_at"]} if records else {}',
        "customers", "offsets", "offset-backwards", "back to the start", "if records else {}",
    ),
    "window-cap-ignored": Plant(
        _EX_CAP, "", "orders", "window", "window-cap-ignored", "had not ended", "def read_table",
    ),
    "deletes-not-read": Plant(
        _EX_DELETES, "return iter([]), dict(start_offset or {})", "orders", "deletes",
        "delete-missed", "did not come from read_table_deletes", "return iter([])",
    ),
}  # fmt: skip

_KI_SCHEMA = "        schema = self.get_table_schema(table_name, table_options)\n"
_KI_RETURN = "return iter(records), advance_offset(start_offset, live, CURSOR_FIELD)"
_KI_CAP = "        live = self._window.cap(table_name, live, CURSOR_FIELD, cursor)\n"
_KI_DELETES = "return iter(tombstones), advance_offset(start_offset, tombstones, CURSOR_FIELD)"
_KI_NEXT = """        start = cursor_from_offset(start_offset, "next")
        live = [
            r
            for r in self._changes(table_name, None)
            if not r.get("deleted") and (start is None or r[CURSOR_FIELD] > start)
        ]
        live = self._window.cap(table_name, live, CURSOR_FIELD, None)
        top = max((r[CURSOR_FIELD] for r in live), default=None)
        nxt = {"next": top + 1} if top is not None else dict(start_offset or {})
        return iter([_conform(r, schema) for r in live]), nxt
"""

KINTO: dict[str, Plant] = {
    "cursor-gt-not-ge": Plant(
        _KI_SCHEMA, _KI_SCHEMA + _KI_NEXT, "tasks", "midpoint", "midpoint-lost",
        "with `>` where", "r[CURSOR_FIELD] > start",
    ),
    "offset-not-advanced": Plant(
        _KI_RETURN, "return iter(records), dict(start_offset or {})", "tasks", "offsets",
        "offset-not-advanced", "returned the same offset", "dict(start_offset or {})",
    ),
    "offset-backwards": Plant(
        _KI_RETURN,
        "return iter(records), {'cursor': live[-1][CURSOR_FIELD]} if live else {}",
        "tasks", "offsets", "offset-backwards", "back to the start", "if live else {}",
    ),
    "window-cap-ignored": Plant(
        _KI_CAP, "", "tasks", "window", "window-cap-ignored", "had not ended", "def read_table",
    ),
    "deletes-not-read": Plant(
        _KI_DELETES, "return iter([]), dict(start_offset or {})", "tasks", "deletes",
        "delete-missed", "did not come from read_table_deletes", "return iter([])",
    ),
}  # fmt: skip


def copy_source(name: str, dest: Path) -> Path:
    """The bundled source ``name`` (connector and tests) copied into a workspace at ``dest``."""
    src = bundled_workspace()
    ignore = shutil.ignore_patterns("__pycache__", "INCREMENTAL_SYNC.md", "dev_config.json")
    shutil.copytree(src / "sources" / name, dest / "sources" / name, ignore=ignore)
    shutil.copytree(
        src / "tests" / "sources" / name, dest / "tests" / "sources" / name, ignore=ignore
    )
    return dest


def plant(workspace: Path, name: str, bug: Plant) -> Path:
    """Edit the connector of ``name`` in ``workspace``; fails if the text to replace moved."""
    path = workspace / "sources" / name / f"{name}.py"
    text = path.read_text(encoding="utf-8")
    assert text.count(bug.old) == 1, f"plant anchor not found once in {path}: {bug.old!r}"
    path.write_text(text.replace(bug.old, bug.new), encoding="utf-8")
    return path
