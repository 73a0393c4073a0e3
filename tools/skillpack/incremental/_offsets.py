"""Offsets as the checks see them: shown, JSON-checked, walked leaf by leaf, compared."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

from skillpack.incremental._model import SyncFailure
from skillpack.sdk.offsets import _cursor_key, compare_cursors


def sort_key(value: Any) -> Any:
    return _cursor_key(value)


def show(offset: Any) -> str:
    try:
        text = json.dumps(offset, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(offset)
    return f"`{text[:160]}`"


def json_or_fail(offset: Any, label: str, i: int) -> None:
    try:
        same = json.loads(json.dumps(offset)) == offset
    except (TypeError, ValueError):
        same = False
    if not same or not (offset is None or isinstance(offset, dict)):
        raise SyncFailure(
            "offset-not-json",
            f"{label}: read {i} returned offset {offset!r:.160}, which does not come back the "
            "same through JSON; keep offsets to dicts of str, int, float, bool and None "
            "(timestamps as ISO strings)",
        )


def leaves(obj: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from leaves(v, (*prefix, str(k)))
    else:
        yield prefix, obj


def set_leaf(offset: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(offset)
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


def forward_or_fail(old: Any, new: Any, label: str, i: int) -> None:
    before = dict(leaves(old or {}))
    after = dict(leaves(new or {}))
    gone = [".".join(p) for p in before if p not in after]
    back = [
        ".".join(p)
        for p, v in before.items()
        if p in after
        and v is not None
        and after[p] is not None
        and type(v) is type(after[p])
        and compare_cursors(after[p], v) < 0
    ]
    if gone or back:
        what = (
            f"dropped {', '.join(f'`{g}`' for g in gone)} (back to the start)"
            if gone
            else f"moved {', '.join(f'`{b}`' for b in back)} backwards"
        )
        raise SyncFailure(
            "offset-backwards",
            f"{label}: read {i} went from offset {show(old)} to {show(new)}: it {what}, so the "
            "run reads the same records again; never return an offset older than the start "
            "(return the start offset when nothing is new)",
        )
