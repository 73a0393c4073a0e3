"""`skillpack mcp` through the MCP SDK's own stdio client: same JSON as the CLI, errors as
error results, and a server that keeps serving after them."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from skillpack.cli import main
from skillpack.create.demo import copy_bundled_workspace
from skillpack.layout import bundled_workspace, source_paths
from skillpack.tools import all_tools, get_tool

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "skills" / "implement" / "references" / "api-doc-template.md"


def _doc_in(work: Path) -> dict[str, Any]:
    return {"path": str(TEMPLATE)}


def _spec_in(work: Path) -> dict[str, Any]:
    folder = work / "sources" / "my_source"
    folder.mkdir(parents=True)
    shutil.copy(TEMPLATE, folder / "my_source_api_doc.md")
    return {"source": "my_source", "workspace": str(work)}


def _example(work: Path) -> dict[str, Any]:
    """The bundled example workspace copied into `work`, named as a tool input."""
    return {"source": "example", "workspace": str(copy_bundled_workspace(work / "ws"))}


def _without_utils(work: Path) -> dict[str, Any]:
    given = _example(work)
    (Path(given["workspace"]) / "tests/sources/example/example_test_utils.py").unlink()
    return given


def _implement_in(work: Path) -> dict[str, Any]:
    doc = work / "example_api_doc.md"
    shutil.copy(source_paths("example", bundled_workspace()).api_doc, doc)
    return {"path": str(doc), "source": "example", "workspace": str(work / "ws")}


#: connection values that reach nothing: validate_auth answers `unreachable` at once
_NOWHERE = {"api_key": "k", "base_url": "http://127.0.0.1:9/v1"}

#: a valid input per tool; each builds what it needs in a fresh `work` folder.
#: A new tool adds its sample here (tools that write files write under `work`).
SAMPLES: dict[str, Callable[[Path], dict[str, Any]]] = {
    "parse_api_doc": _doc_in,
    "lint_api_doc": lambda work: {"path": str(TEMPLATE), "write_back": True},
    "generate_connector_spec": _spec_in,
    "write_test_utils": _without_utils,
    "run_suite": lambda work: {**_example(work), "select": "list_tables"},
    "review_connector": lambda work: {
        "source_dir": _example(work)["workspace"] + "/sources/example"
    },
    "package_connector": lambda work: {**_example(work), "verify": False},
    "write_credentials": lambda work: {**_example(work), "values": _NOWHERE},
    "validate_auth": lambda work: {**_example(work), "config": _NOWHERE},
    "implement_connector": _implement_in,
    "validate_incremental_sync": lambda work: {**_example(work), "tables": ["events"]},
}

#: output fields that measure time or name per-run temp files, not results
_VOLATILE = {"seconds", "duration_s", "elapsed_s", "command", "output_tail"}


def stable(data: Any) -> Any:
    """``data`` without the fields that differ between two identical runs."""
    if isinstance(data, dict):
        return {k: stable(v) for k, v in data.items() if k not in _VOLATILE}
    if isinstance(data, list):
        return [stable(v) for v in data]
    return data


def fresh(work: Path, name: str) -> dict[str, Any]:
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    return SAMPLES[name](work)


def cli_json(capsys, name: str, data: dict[str, Any]) -> Any:
    code = main(["tool", name, "--input", json.dumps(data)])
    out, err = capsys.readouterr()
    parsed = json.loads(out)
    # the tool ran; its exit status says whether its own gate holds
    assert code == (0 if get_tool(name).gate_passed(parsed) else 1), err
    return stable(parsed)


async def with_session(body: Callable[[ClientSession], Any]) -> Any:
    params = StdioServerParameters(command=sys.executable, args=["-m", "skillpack", "mcp"])
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        return await body(session)


def test_every_tool_has_a_sample_input():
    assert sorted(SAMPLES) == sorted(t.name for t in all_tools())


def test_listed_tools_carry_the_models_schemas_at_top_level():
    async def body(session):
        return (await session.list_tools()).tools

    listed = {t.name: t for t in anyio.run(with_session, body)}
    for t in all_tools():
        assert listed[t.name].input_schema == t.input_schema()
        assert listed[t.name].output_schema == t.output_schema()
        assert listed[t.name].description == t.description
    assert "path" in listed["parse_api_doc"].input_schema["properties"]


def test_mcp_and_cli_return_identical_json_for_every_tool(capsys, tmp_path):
    work = tmp_path / "work"
    expected = {t.name: cli_json(capsys, t.name, fresh(work, t.name)) for t in all_tools()}
    names = sorted(expected)

    async def body(session):
        results = {}
        for name in names:
            result = await session.call_tool(name, fresh(work, name))
            assert not result.is_error, result.content
            assert json.loads(result.content[0].text) == result.structured_content
            results[name] = stable(result.structured_content)
        return results

    assert anyio.run(with_session, body) == expected


def test_errors_come_back_as_error_results_and_the_server_keeps_serving(tmp_path):
    missing = str(tmp_path / "missing.md")

    async def body(session):
        bad_input = await session.call_tool("parse_api_doc", {"pth": "x"})
        not_found = await session.call_tool("parse_api_doc", {"path": missing})
        unknown = await session.call_tool("no_such_tool", {})
        good = await session.call_tool("parse_api_doc", {"path": str(TEMPLATE)})
        return bad_input, not_found, unknown, good

    bad_input, not_found, unknown, good = anyio.run(with_session, body)
    assert bad_input.is_error and "invalid input: `path`" in bad_input.content[0].text
    assert not_found.is_error
    assert not_found.content[0].text.splitlines() == [
        f"error: API doc `{missing}` not found",
        "hint: pass the path of a Markdown API doc, e.g. `sources/NAME/NAME_api_doc.md`",
    ]
    assert unknown.is_error and "`parse_api_doc`" in unknown.content[0].text
    assert not good.is_error
    assert good.structured_content["source_name"] == "my_source"


def test_an_mcp_client_sees_every_tool_the_skills_and_agents_name():
    from tests.test_skill_manifests import AGENT_FILES, SKILL_DIRS, tool_names

    named = set()
    for path in [d / "SKILL.md" for d in SKILL_DIRS] + AGENT_FILES:
        named |= tool_names(path.read_text(encoding="utf-8"))

    async def body(session):
        return {t.name for t in (await session.list_tools()).tools}

    listed = anyio.run(with_session, body)
    assert len(named) >= 8
    assert named <= listed, sorted(named - listed)
