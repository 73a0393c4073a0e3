"""Limits at the tool boundary: JSON depth, input size, output containment."""

from __future__ import annotations

import io
import json

import pytest

from skillpack.errors import InputError
from skillpack.limits import MAX_JSON_DEPTH, contained, load_json, read_capped


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = json.dumps({"pattern": "[" * 500 + "{" * 500, "escaped": '\\"[[['})
    assert load_json(text, "x")["pattern"].startswith("[[[")


def test_nesting_up_to_the_limit_loads_and_one_more_is_refused():
    ok = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert load_json(ok, "x") is not None
    too_deep = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)
    with pytest.raises(InputError) as info:
        load_json(too_deep, "`in.json`")
    assert info.value.code == "too-deep" and "`in.json`" in str(info.value)


def test_read_capped_refuses_one_byte_more_than_the_limit():
    assert read_capped(io.BytesIO(b"x" * 10), "x", limit=10) == b"x" * 10
    with pytest.raises(InputError) as info:
        read_capped(io.BytesIO(b"x" * 11), "stdin", limit=10)
    assert info.value.code == "input-too-large"


def test_contained_refuses_dot_dot_and_links_out_of_the_workspace(tmp_path):
    ws = tmp_path / "ws"
    (ws / "out").mkdir(parents=True)
    assert contained(ws / "out" / "x", ws, "out_dir") == (ws / "out" / "x").resolve()
    with pytest.raises(InputError) as info:
        contained(f"{ws}/../../escaped", ws, "out_dir")
    assert info.value.code == "outside-workspace"
    (ws / "link").symlink_to(tmp_path)
    with pytest.raises(InputError):
        contained(ws / "link" / "elsewhere", ws, "out_dir")
