"""A failed suite's messages become to-dos placed at the table, field and doc line."""

from __future__ import annotations

from skillpack.apidoc.parse import parse_markdown
from skillpack.create.failures import failure_todos

DOC = """# Shop API

Base URL: `https://shop.example/v1`

## Tables

### orders

`GET /orders` lists the orders. Primary key: `id`. Ingestion type: snapshot.

| Field | Type |
|---|---|
| `id` | string |
| `sku` | string |
| `note` | string |

### refunds

`GET /refunds` lists the refunds. Primary key: `id`. Ingestion type: snapshot.

| Field | Type |
|---|---|
| `id` | string |
"""


def _test(name: str, message: str, outcome: str = "failed") -> dict:
    return {"name": name, "outcome": outcome, "message": message}


def test_each_table_line_of_a_failure_is_an_item_at_its_field_or_endpoint():
    doc = parse_markdown(DOC)
    lines = DOC.splitlines()
    out = {
        "tests": [
            _test("test_list_tables", "", "passed"),
            _test(
                "test_every_column_populated",
                "[orders] Columns null in every sampled record: ['sku', 'note', 'other']\n\n"
                "[refunds] read_table() raised: No endpoint spec matches GET /refunds",
            ),
            # the same place again: reported once
            _test("test_read_table", "[refunds] read_table() raised: 404"),
            _test("test_connect", "ConnectionError: refused\nmore lines"),
        ]
    }
    items = failure_todos(out, doc)
    assert [(i["table"], i["field"]) for i in items] == [
        ("orders", "sku, note"),
        ("refunds", "read"),
        (None, "test_connect"),
    ]
    orders, refunds, whole = items
    assert lines[orders["doc_line"] - 1].startswith("| `sku`")
    assert "`GET /refunds`" in lines[refunds["doc_line"] - 1]
    assert whole["doc_line"] is None and whole["what"].endswith("ConnectionError: refused")
    assert all(i["blocking"] for i in items)
    assert orders["what"].startswith("test_every_column_populated failed: Columns null")


def test_a_failed_offline_suite_in_create_leaves_its_failures_as_placed_to_dos(tmp_path):
    import pytest

    from skillpack.create.orchestrator import context_for, run_create
    from skillpack.errors import GateFailed
    from skillpack.layout import bundled_workspace, source_paths

    doc = source_paths("example", bundled_workspace()).api_doc
    ws = tmp_path / "ws"
    ctx = context_for("example", doc=str(doc), workspace=str(ws))
    run_create(ctx, until="implement")
    spec = ws / "sources" / "example" / "simulator_spec.yaml"
    # the simulator no longer serves `customers` where the doc says it lives
    text = spec.read_text(encoding="utf-8")
    assert text.count("endpoint: /customers\n") == 1
    spec.write_text(text.replace("endpoint: /customers\n", "endpoint: /elsewhere\n"))
    said: list[str] = []
    with pytest.raises(GateFailed, match="test_simulate"):
        run_create(
            context_for("example", doc=None, workspace=str(ws), resume=True),
            resume=True,
            until="test_simulate",
            say=said.append,
        )
    todo = run_state_todo(ws)
    customers = [t for t in todo if t["table"] == "customers"]
    assert customers and all(t["field"] and t["doc_line"] for t in customers), todo
    lines = doc.read_text(encoding="utf-8").splitlines()
    assert any("/customers" in lines[t["doc_line"] - 1] for t in customers), customers
    assert any(s.strip().startswith("to-do: customers.") for s in said), said


def run_state_todo(ws) -> list[dict]:
    import json

    state = json.loads((ws / ".skillpack" / "example.state.json").read_text())
    return next(s for s in state["steps"] if s["name"] == "test_simulate")["todo"]


def test_a_table_the_curated_spec_cannot_check_is_an_open_item_at_its_read_endpoint():
    from skillpack.create.failures import unchecked_todos

    doc = parse_markdown(DOC)
    lines = DOC.splitlines()
    (item,) = unchecked_todos({"refunds": "/v1/refunds"}, doc, "shop")
    assert (item["table"], item["field"], item["blocking"]) == ("refunds", "read", False)
    assert "`GET /refunds`" in lines[item["doc_line"] - 1]
    assert "curated spec `shop` serves no read of `/v1/refunds`" in item["what"]
    # a doc that no longer reads still leaves the table's item, with no line to point at
    (bare,) = unchecked_todos({"refunds": "/v1/refunds"}, None, "shop")
    assert (bare["table"], bare["doc_line"], bare["blocking"]) == ("refunds", None, False)
