"""The `skillpack` command: output on stdout, one-line errors on stderr, exit statuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from pydantic import BaseModel

from skillpack import __version__, registry
from skillpack.cli import build_parser, main
from skillpack.tools import all_tools

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = str(REPO / "skills" / "implement" / "references" / "api-doc-template.md")


class EmptyIn(BaseModel):
    """A model for throwaway tools."""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_tool_list_names_every_tool_with_its_description(capsys):
    code, out, err = run(capsys, "tool", "list")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == [t.name for t in all_tools()]
    assert any("Read a Markdown API doc" in line for line in lines)


def test_tool_list_json_gives_valid_schemas(capsys):
    code, out, _ = run(capsys, "tool", "list", "--json")
    assert code == 0
    listed = json.loads(out)
    assert [t["name"] for t in listed] == [t.name for t in all_tools()]
    for item in listed:
        jsonschema.Draft202012Validator.check_schema(item["input_schema"])
        jsonschema.Draft202012Validator.check_schema(item["output_schema"])


def test_parse_api_doc_prints_the_api_doc_as_the_top_level_object(capsys):
    code, out, err = run(capsys, "tool", "parse_api_doc", "--input", json.dumps({"path": TEMPLATE}))
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["source_name"] == "my_source"
    first = doc["tables"][0]
    assert {"name", "primary_keys", "cursor_field", "ingestion_type", "inferred"} <= set(first)
    assert first["primary_keys"] == ["id"] and first["inferred"] == []


def test_input_file_and_stdin_give_the_same_output(capsys, tmp_path, monkeypatch):
    f = tmp_path / "in.json"
    f.write_text(json.dumps({"path": TEMPLATE}), encoding="utf-8")
    _, from_file, _ = run(capsys, "tool", "parse_api_doc", "--input-file", str(f))
    monkeypatch.setattr(sys, "stdin", f.open(encoding="utf-8"))
    _, from_stdin, _ = run(capsys, "tool", "parse_api_doc", "--input-file", "-")
    _, inline, _ = run(capsys, "tool", "parse_api_doc", "--input", json.dumps({"path": TEMPLATE}))
    assert from_file == from_stdin == inline


def test_invalid_input_exits_2_with_one_line_naming_the_field(capsys):
    code, out, err = run(capsys, "tool", "parse_api_doc", "--input", '{"path": 3}')
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "error: invalid input: `path`: Input should be a valid string",
        "hint: `skillpack tool list --json` shows each tool's input schema",
    ]


def test_unknown_field_is_refused(capsys):
    code, _, err = run(capsys, "tool", "parse_api_doc", "--input", '{"path": "x", "pth": 1}')
    assert code == 2
    assert "`pth`" in err and "Traceback" not in err


def test_bad_json_exits_2_with_a_hint(capsys):
    code, _, err = run(capsys, "tool", "parse_api_doc", "--input", "{path: x}")
    assert code == 2
    assert err.startswith("error: --input is not valid JSON")
    assert "hint:" in err


def test_missing_doc_is_a_user_error_with_hint(capsys, tmp_path):
    missing = str(tmp_path / "nope.md")
    code, _, err = run(capsys, "tool", "parse_api_doc", "--input", json.dumps({"path": missing}))
    assert code == 2
    assert err.splitlines()[0] == f"error: API doc `{missing}` not found"
    assert err.splitlines()[1].startswith("hint: ")


def test_unknown_tool_exits_2_listing_known_names(capsys):
    code, _, err = run(capsys, "tool", "parse_doc", "--input", "{}")
    assert code == 2
    assert "unknown tool `parse_doc`" in err and "`parse_api_doc`" in err


def test_a_bug_exits_1_without_traceback_unless_debug(capsys, monkeypatch):
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))

    def explode_now(inp: EmptyIn) -> EmptyIn:
        """Fail like a bug."""
        raise RuntimeError("kaboom")

    registry.tool(explode_now)
    code, _, err = run(capsys, "tool", "explode_now")
    assert code == 1
    assert err.splitlines() == [
        "error: RuntimeError: kaboom",
        "rerun with --debug for the traceback",
    ]
    code, _, err = run(capsys, "--debug", "tool", "explode_now")
    assert code == 1 and "Traceback" in err


def test_keyboard_interrupt_exits_130(capsys, monkeypatch):
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))

    def stop_now(inp: EmptyIn) -> EmptyIn:
        """Interrupted."""
        raise KeyboardInterrupt

    registry.tool(stop_now)
    assert run(capsys, "tool", "stop_now")[0] == 130


def test_bad_usage_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["tool"])
    assert exc.value.code == 2


def test_demo_takes_a_workspace_option():
    args = build_parser().parse_args(["demo", "--workspace", "w"])
    assert args.workspace == "w"


def test_python_m_skillpack_prints_the_version():
    proc = subprocess.run(
        [sys.executable, "-m", "skillpack", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"skillpack {__version__}"
