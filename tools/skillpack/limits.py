"""Limits at the tool boundary: how much input is read, how deep JSON may nest, where output goes.

Each check turns what would be a crash, a hang or a write in the wrong place into one
``InputError`` line with a hint:

    raw = read_capped(f, "`in.json`")          # refuses more than MAX_INPUT_BYTES
    data = load_json(raw, "`in.json`")         # refuses binary, malformed or too-deep JSON
    text = read_text_capped(doc, "API doc")    # refuses docs over MAX_DOC_BYTES or not UTF-8
    out = contained(out_dir, workspace, "out_dir")   # refuses a folder outside the workspace
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

from skillpack.errors import InputError
from skillpack.layout import echo

#: largest tool input read from --input-file or stdin
MAX_INPUT_BYTES = 10 * 1024 * 1024
#: largest API doc read (the biggest real docs are a few hundred KB)
MAX_DOC_BYTES = 4 * 1024 * 1024
#: deepest JSON nesting accepted; real tool inputs nest a handful of levels
MAX_JSON_DEPTH = 100


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def read_capped(stream: IO[bytes], where: str, limit: int = MAX_INPUT_BYTES) -> bytes:
    """Up to ``limit`` bytes of ``stream``; ``InputError`` if there is more."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputError(
            f"{where} is larger than {_mb(limit)}",
            hint="pass a smaller input: tool inputs are small JSON objects",
            code="input-too-large",
        )
    return data


def _depth(text: str) -> int:
    """Deepest bracket nesting of JSON text, not counting brackets inside strings."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def load_json(raw: str | bytes, where: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Decode JSON text; ``InputError`` for binary data, bad JSON or nesting over ``max_depth``."""
    if isinstance(raw, bytes):
        if b"\x00" in raw:
            raise InputError(
                f"{where} is binary, not JSON text", hint="pass a UTF-8 JSON file", code="bad-json"
            )
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{where} is not UTF-8 text (byte {exc.start})",
                hint="pass a UTF-8 JSON file",
                code="bad-json",
            ) from None
    brackets = raw.count("[") + raw.count("{")
    if brackets > max_depth and _depth(raw) > max_depth:
        raise InputError(
            f"{where} nests deeper than {max_depth} levels",
            hint="tool inputs are flat JSON objects; pass the values themselves",
            code="too-deep",
        )
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{where} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            hint="""quote the JSON for your shell, e.g. --input '{"path": "doc.md"}'""",
            code="bad-json",
        ) from None
    except RecursionError:
        raise InputError(
            f"{where} nests too deeply", hint="pass a flat JSON object", code="too-deep"
        ) from None


def read_text_capped(path: Path, what: str, limit: int = MAX_DOC_BYTES) -> str:
    """The UTF-8 text of ``path``; ``InputError`` if it is over ``limit`` bytes or not text."""
    size = path.stat().st_size
    if size > limit:
        raise InputError(
            f"{what} `{echo(path)}` is {_mb(size)}; the limit is {_mb(limit)}",
            hint="split the doc or drop what the connector does not need (raw dumps, changelogs)",
            code="too-large",
        )
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(
            f"{what} `{echo(path)}` is not UTF-8 text", hint="save it as UTF-8 Markdown"
        ) from None


def contained(path: str | Path, root: Path, what: str) -> Path:
    """``path`` resolved; ``InputError`` if it lies outside ``root`` (``..`` and links count)."""
    target = Path(path).expanduser().resolve()
    base = root.resolve()
    if target != base and base not in target.parents:
        raise InputError(
            f"`{what}` `{echo(path)}` is outside the workspace `{echo(base)}`",
            hint=f"give a folder inside the workspace (or a path relative to it) as `{what}`",
            code="outside-workspace",
        )
    return target


def read_tool_input(text: str | None, file: str | None) -> dict[str, Any]:
    """The JSON object given as ``text`` or in ``file`` (``-``: stdin); ``{}`` when neither.

    What the command line's ``--input`` and ``--input-file`` take: size-capped, nesting-safe,
    and one-line errors that quote at most a short piece of a path.
    """
    if file is not None:
        if file == "-":
            raw, where = read_capped(sys.stdin.buffer, "stdin"), "stdin"
        else:
            path = Path(file)
            where = f"`{echo(file)}`"
            if not path.is_file():
                raise InputError(
                    f"input file {where} not found",
                    hint="pass a JSON file's path, or use --input",
                )
            with path.open("rb") as f:
                raw = read_capped(f, where)
    elif text is not None:
        raw, where = text, "--input"
    else:
        return {}
    data = load_json(raw, where)
    if not isinstance(data, dict):
        raise InputError(f"{where} must be a JSON object", hint="""e.g. '{"path": "doc.md"}'""")
    return data
