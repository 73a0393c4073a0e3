"""Gates tell the truth: every tool names its gate, `skillpack tool` exits 1 when it fails,
`skillpack create` gates each step on that same field (as the agent files say), and
`--resume` runs again every step whose inputs changed."""

from __future__ import annotations

import json
import re
import shutil
import socket
from pathlib import Path

import pytest

from skillpack.cli import GATE_FAILED_EXIT, main
from skillpack.create.demo import copy_bundled_workspace
from skillpack.create.orchestrator import STEPS, RunState, context_for, run_create
from skillpack.errors import GateFailed, InputError
from skillpack.tools import all_tools, get_tool

REPO = Path(__file__).resolve().parents[1]
AGENTS = REPO / "agents"
WIDGETS = REPO / "tests" / "fixtures" / "apidocs_impl" / "widgets_api_doc.md"
#: commands the agent files use in place of a tool's name
ALIASES = {
    "skillpack test": "run_suite",
    "skillpack package": "package_connector",
    "skillpack review": "review_connector",
    "skillpack incremental": "validate_incremental_sync",
}
_ITEM = re.compile(r"^\d+\.\s.*?(?=^\d+\.\s|^#|\Z)", re.M | re.S)


def _items(text: str) -> list[str]:
    return [m.group(0) for m in _ITEM.finditer(text)]


def _tools_named(item: str) -> list[str]:
    names = {t.name for t in all_tools()}
    found = [(m.start(), m.group(0)) for n in names for m in re.finditer(rf"\b{n}\b", item)]
    found += [(item.find(cmd), tool) for cmd, tool in ALIASES.items() if cmd in item]
    return [tool for _, tool in sorted(found)]


def _gate_text(item: str) -> str:
    return item.split("Gate", 1)[1] if "Gate" in item else ""


# --- every tool names its gate, and the CLI exits by it ----------------------------------------


def test_every_tool_output_names_its_gate_field():
    for t in all_tools():
        fields = set(t.output_model.model_fields) | set(t.output_model.model_computed_fields)
        assert t.gate in fields, f"{t.name}: GATE `{t.gate}` is not an output field"


@pytest.mark.parametrize("tool", [t.name for t in all_tools()])
def test_a_false_gate_field_fails_the_gate_and_a_true_one_passes(tool):
    found = get_tool(tool)
    assert not found.gate_passed({found.gate: False})
    assert not found.gate_passed({})
    assert found.gate_passed({found.gate: True})


def _tool(capsys, name: str, data: dict) -> tuple[int, dict, str]:
    code = main(["tool", name, "--input", json.dumps(data)])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


@pytest.fixture
def unkeyed_doc(tmp_path) -> Path:
    doc = tmp_path / "widgets_api_doc.md"
    doc.write_text(WIDGETS.read_text().replace("- **Primary key:** `id`\n", "", 1))
    return doc


def test_parse_api_doc_exits_1_when_a_table_has_no_stated_primary_key(capsys, unkeyed_doc):
    code, out, err = _tool(capsys, "parse_api_doc", {"path": str(unkeyed_doc)})
    assert code == GATE_FAILED_EXIT == 1
    assert out["complete"] is False and "gate failed: `complete`" in err
    code, out, _ = _tool(capsys, "parse_api_doc", {"path": str(WIDGETS)})
    assert code == 0 and out["complete"] is True


def test_lint_api_doc_exits_1_on_an_error_finding(capsys, tmp_path):
    doc = tmp_path / "nothing_api_doc.md"
    doc.write_text("# Nothing API\n\nNo tables here.\n")
    code, out, err = _tool(capsys, "lint_api_doc", {"path": str(doc)})
    assert code == 1 and out["passed"] is False and out["errors"] >= 1
    assert "gate failed: `passed`" in err


def test_implement_connector_exits_1_with_a_to_do_left(capsys, tmp_path):
    ws = tmp_path / "ws"
    doc = tmp_path / "widgets_api_doc.md"
    # a table with no read endpoint is a blocking to-do
    doc.write_text(WIDGETS.read_text().replace("- **Read endpoint:** `GET /gadgets`", "", 1))
    data = {"path": str(doc), "source": "widgets", "workspace": str(ws)}
    code, out, err = _tool(capsys, "implement_connector", data)
    assert code == 1 and out["passed_template_check"] is False and out["todo"]
    assert "gate failed: `passed_template_check`" in err


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_validate_auth_exits_1_when_the_source_is_unreachable(capsys, tmp_path):
    ws = copy_bundled_workspace(tmp_path / "ws")
    config = {"base_url": f"http://127.0.0.1:{_unused_port()}/v1", "api_key": "k"}
    code, out, _ = _tool(
        capsys, "validate_auth", {"source": "example", "workspace": str(ws), "config": config}
    )
    assert code == 1 and out["ok"] is False and out["verdict"] == "unreachable"


def test_review_connector_exits_1_while_its_band_is_provisional(capsys, tmp_path):
    ws = copy_bundled_workspace(tmp_path / "ws")
    code, out, _ = _tool(capsys, "review_connector", {"source": "example", "workspace": str(ws)})
    assert code == 1 and out["passed"] is False and out["provisional"] is True
    assert "test.live-verified" in out["sinking_pending"]


def test_run_suite_exits_1_when_a_test_fails(capsys, tmp_path):
    ws = copy_bundled_workspace(tmp_path / "ws")
    module = ws / "sources" / "example" / "example.py"
    text = module.read_text()
    module.write_text(text.replace('"events": (', '"clicks": (', 1))
    data = {"source": "example", "workspace": str(ws), "mode": "simulate", "timeout_s": 120}
    code, out, _ = _tool(capsys, "run_suite", data)
    assert code == 1 and out["passed"] is False and out["counts"]["failed"] >= 1


# --- the agent files state the gates the code applies ------------------------------------------


def test_each_create_step_states_the_gate_its_tool_declares():
    items = _items((AGENTS / "create-connector.md").read_text(encoding="utf-8"))
    steps = [i for i in items if "Gate" in i]
    assert len(steps) == len(STEPS)
    for step, item in zip(STEPS, steps, strict=True):
        assert step.tool in _tools_named(item), (step.name, item[:80])
        assert f"`{step.gate}" in _gate_text(item), (step.name, step.gate, item[:120])


@pytest.mark.parametrize(
    "agent", sorted(p.name for p in AGENTS.glob("*.md") if p.name != "create-connector.md")
)
def test_every_gate_an_agent_file_states_is_its_tools_gate(agent):
    items = _items((AGENTS / agent).read_text(encoding="utf-8"))
    last_tool = None
    checked = 0
    for item in items:
        named = _tools_named(item)
        last_tool = named[0] if named else last_tool
        if "Gate" not in item:
            continue
        assert last_tool, f"{agent}: a gate with no tool: {item[:80]}"
        gate = get_tool(last_tool).gate
        assert f"`{gate}" in _gate_text(item), (agent, last_tool, gate, item[:120])
        checked += 1
    assert checked >= 1


# --- create: the doc gate, and resume after an edit --------------------------------------------


def test_a_table_without_a_stated_key_is_a_to_do_of_create_not_a_wall(tmp_path, unkeyed_doc):
    # The doc step's gate is "some table"; an open key is said there and becomes an item of
    # implement's to-do list naming the table, the field and the doc line.
    ctx = context_for("widgets", doc=str(unkeyed_doc), workspace=str(tmp_path / "ws"))
    run_create(ctx, until="implement")
    state = RunState.load(ctx.paths.state_file)
    assert state.step("doc").status == "passed"
    assert "no primary key stated" in state.step("doc").message
    assert "gadgets" in state.step("doc").message
    items = [(t["table"], t["field"]) for t in state.step("implement").todo if t.get("doc_line")]
    assert ("gadgets", "primary_keys") in items


def test_create_stops_at_the_doc_step_only_without_any_table(tmp_path):
    doc = tmp_path / "empty_api_doc.md"
    doc.write_text("# Empty API\n\nNothing to read here.\n")
    with pytest.raises(InputError) as err:
        run_create(context_for("empty", doc=str(doc), workspace=str(tmp_path / "ws")))
    assert "describes no table" in str(err.value)


def _drop_parts_table(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    doc.write_text(text[: text.index("### `parts`")], encoding="utf-8")


def test_resume_runs_again_every_step_whose_doc_changed_and_says_why(tmp_path):
    ws = tmp_path / "ws"
    doc = tmp_path / "widgets_api_doc.md"
    shutil.copyfile(WIDGETS, doc)
    lines: list[str] = []
    ctx = context_for("widgets", doc=str(doc), workspace=str(ws))
    run_create(ctx, until="lint", say=lines.append)
    state = RunState.load(ctx.paths.state_file)
    assert state.step("doc").message == "4 tables"
    assert state.step("doc").inputs["doc"] != "absent"

    lines.clear()
    run_create(context_for("widgets", doc=None, workspace=str(ws), resume=True),
               resume=True, until="lint", say=lines.append)  # fmt: skip
    assert sum("passed earlier" in line for line in lines) == 2  # nothing changed

    _drop_parts_table(ctx.paths.api_doc)
    lines.clear()
    run_create(context_for("widgets", doc=None, workspace=str(ws), resume=True),
               resume=True, until="lint", say=lines.append)  # fmt: skip
    reruns = [line for line in lines if "runs again" in line]
    assert len(reruns) == 2 and all("the API doc changed since it passed" in r for r in reruns)
    assert not any("passed earlier" in line for line in lines)
    assert RunState.load(ctx.paths.state_file).step("doc").message == "3 tables"


def test_a_blocked_implement_step_says_each_of_its_to_dos_once(tmp_path):
    doc = tmp_path / "widgets_api_doc.md"
    doc.write_text(WIDGETS.read_text().replace("- **Read endpoint:** `GET /gadgets`", "", 1))
    said: list[str] = []
    ctx = context_for("widgets", doc=str(doc), workspace=str(tmp_path / "ws"))
    with pytest.raises(GateFailed, match="implement"):
        run_create(ctx, until="implement", say=said.append)
    todo = [line.strip() for line in said if line.strip().startswith("to-do: ")]
    assert any("gadgets" in line for line in todo), said
    assert len(todo) == len(set(todo)), todo
