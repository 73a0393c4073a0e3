"""Where to look for a failure: a traceback frame, a hung stack, or the line a cause names.

Tried in order: the innermost traceback frame inside the source's own files (connector or
test utilities); for a hung run, the stack it was blocked in; for a simulator miss, the
cassette; then an anchor, the first line of the connector or utilities matching what the
cause is about (the paginator, the field's ``StructField``, the mapping entry, the method);
last, the test file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol

from skillpack.layout import SourcePaths

LocationKind = Literal["traceback", "stack", "anchor", "cassette", "test-file"]


class Located(Protocol):
    """What locating a failure reads (``_diagnose.Failure`` has it all)."""

    nodeid: str
    message: str
    frames: Sequence[Sequence[object]]
    text: str
    stack_dump: str
    base: Path | None


#: where to look for each cause when no traceback frame says: (file, regex) tried in order
_ANCHORS: dict[str, tuple[tuple[str, str], ...]] = {
    "auth": (("connector", r"Auth\("), ("connector", r"def __init__\b")),
    "config-missing": (("connector", r"def __init__\b"),),
    "config-invalid": (("connector", r"def __init__\b"),),
    "connector-init": (("connector", r"def __init__\b"),),
    "schema-mismatch": (("connector", r"def get_table_schema\b"),),
    "record-violates-schema": (("connector", r"def read_table\b"),),
    "schema-invalid": (("connector", r"def get_table_schema\b"),),
    "column-always-null": (("connector", r"def get_table_schema\b"),),
    "metadata-invalid": (("connector", r"def read_table_metadata\b"),),
    "cursor-missing": (("connector", r"def read_table_metadata\b"),),
    "cursor-stalled": (("connector", r"def read_table\b"),),
    "pagination-loop": (("connector", r"Paginator\("), ("connector", r"def read_table\b")),
    "network": (("connector", r"RestClient\("), ("connector", r"base_url")),
    "source-error": (("connector", r"def read_table\b"),),
    "read-shape": (("connector", r"def read_table\b"),),
    "read-timeout": (("connector", r"def read_table\b"),),
    "empty-read": (("connector", r"def read_table\b"),),
    "options-mutated": (("connector", r"def read_table\b"),),
    "tables-invalid": (("connector", r"def list_tables\b"),),
    "unknown-table-accepted": (("connector", r"def get_table_schema\b"),),
    "mapping-path-missing": (("utils", r"def generate_rows_and_write\b"),),
    "write-rejected": (
        ("utils", r"\.(?:post|put|patch)\("),
        ("utils", r"def generate_rows_and_write\b"),
    ),
    "write-shape": (("utils", r"def generate_rows_and_write\b"),),
    "eventual-consistency-timeout": (("utils", r"def generate_rows_and_write\b"),),
    "insertable-unknown": (("utils", r"def list_insertable_tables\b"),),
    "deletable-not-cdc": (("utils", r"def list_deletable_tables\b"),),
    "partition-contract": (("connector", r"^class \w+"),),
    "partition-invalid": (("connector", r"def get_partitions\b"),),
    "partition-read": (("connector", r"def read_partition\b"),),
    "offset-invalid": (("connector", r"def latest_offset\b"),),
    "offset-not-converged": (("connector", r"def latest_offset\b"),),
}

_CASSETTE = re.compile(r"in cassette (?P<path>\S+?)(?:;|$)", re.M)
_TEXT_FRAME = re.compile(
    r'File "(?P<path>[^"]+)", line (?P<line>\d+)|^(?P<short>[^\s:"]+\.py):(?P<sline>\d+)', re.M
)
_DUMP_FRAME = re.compile(r'^\s*File "(?P<path>[^"]+)", line (?P<line>\d+) in (?P<func>.+)$')


def locate(
    f: Located, cause: str, code: str | None, details: dict[str, str], paths: SourcePaths
) -> tuple[str | None, LocationKind | None]:
    """``path:line`` to look at for a failure of ``cause``, and how it was found."""
    frames = [(str(p), int(n)) for p, n, *_ in f.frames] or _text_frames(f.text)
    base = f.base or paths.root
    frames = [(str(base / p) if not Path(p).is_absolute() else p, n) for p, n in frames]
    found = _in_source(frames, paths)
    if found:
        return _where(paths, *found), "traceback"
    if f.stack_dump:
        found = _in_source(_dump_frames(f.stack_dump), paths)
        if found:
            return _where(paths, *found), "stack"
    if cause == "simulator-miss":
        cassette = _CASSETTE.search(f.message)
        if cassette:
            return _where(paths, Path(cassette.group("path")), None), "cassette"
    anchored = _anchor(cause, code, details, f, paths)
    if anchored:
        return _where(paths, *anchored), "anchor"
    if paths.test_file.is_file():
        return _where(paths, paths.test_file, None), "test-file"
    return None, None


def _in_source(frames: list[tuple[str, int]], paths: SourcePaths) -> tuple[Path, int] | None:
    """The innermost frame in the connector or its utilities, else in the test file."""
    source_dir, utils, test_file = (
        _resolved(paths.source_dir),
        _resolved(paths.test_utils),
        _resolved(paths.test_file),
    )
    in_test_file = None
    for raw, line in reversed(frames):
        path = _resolved(Path(raw))
        if path == utils or source_dir in path.parents:
            return path, line
        if path == test_file and in_test_file is None:
            in_test_file = (path, line)
    return in_test_file


def _text_frames(text: str) -> list[tuple[str, int]]:
    frames = []
    for m in _TEXT_FRAME.finditer(text or ""):
        if m.group("path"):
            frames.append((m.group("path"), int(m.group("line"))))
        else:
            frames.append((m.group("short"), int(m.group("sline"))))
    return frames


def _dump_frames(dump: str) -> list[tuple[str, int]]:
    """Frames of the first thread in a faulthandler dump that ran the source's code."""
    threads: list[list[tuple[str, int]]] = []
    for line in dump.splitlines():
        if "thread 0x" in line.lower():
            threads.append([])
            continue
        m = _DUMP_FRAME.match(line)
        if m and threads:
            threads[-1].append((m.group("path"), int(m.group("line"))))
    # faulthandler lists the most recent call first; callers expect innermost last.
    return [frame for stack in threads for frame in reversed(stack)]


def _anchor(
    cause: str, code: str | None, details: dict[str, str], f: Located, paths: SourcePaths
) -> tuple[Path, int] | None:
    files = {"connector": paths.connector_module, "utils": paths.test_utils}
    tries: list[tuple[str, str]] = []
    field_name = (details.get("field") or "").split(".")[-1]
    if cause in ("schema-mismatch", "record-violates-schema") and field_name:
        tries.append(("connector", rf"StructField\(\s*[\"']{re.escape(field_name)}[\"']"))
    if cause == "mapping-path-missing" and details.get("path"):
        tries.append(("utils", rf"[\"']{re.escape(details['path'])}[\"']"))
    if details.get("ingestion_type"):
        tries.append(("connector", rf"[\"']{re.escape(details['ingestion_type'])}[\"']"))
    if "read_table_deletes" in f.message:
        tries.append(("connector", r"def read_table_deletes\b"))
    if cause == "suite-timeout":
        tries += _timeout_anchors(f.nodeid)
    tries += _ANCHORS.get(cause, ()) + _ANCHORS.get(code or "", ())
    table = details.get("table")
    for target, pattern in tries:
        near = rf"[\"']{re.escape(table)}[\"']" if table and "StructField" in pattern else None
        line = _find_line(files[target], pattern, near)
        if line is not None:
            return files[target], line
    return None


def _timeout_anchors(nodeid: str) -> list[tuple[str, str]]:
    name = nodeid.rsplit("::", 1)[-1]
    if "delete" in name:
        return [("utils", r"def delete_rows\b"), ("connector", r"def read_table_deletes\b")]
    if "write" in name:
        return [("utils", r"def generate_rows_and_write\b")]
    return [("connector", r"def read_table\b")]


def _find_line(path: Path, pattern: str, after: str | None = None) -> int | None:
    """The first line matching ``pattern``; past the first line matching ``after`` if it has
    one (a field declared in several tables is looked for in its own table's schema)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    regex = re.compile(pattern)
    start = 0
    if after is not None:
        start = next((i for i, text in enumerate(lines) if re.search(after, text)), 0)
    for number, text in enumerate(lines[start:], start=start + 1):
        if regex.search(text):
            return number
    return _find_line(path, pattern) if start else None


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path


def _where(paths: SourcePaths, path: Path, line: int | None) -> str:
    path = _resolved(path)
    root = _resolved(paths.root)
    shown = path.relative_to(root).as_posix() if root in path.parents else str(path)
    return f"{shown}:{line}" if line else shown
