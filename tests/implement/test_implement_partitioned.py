"""implement_connector for a table read per parent record (``/customers/{customer_id}/orders``):
the generated connector fans out over the parent's records, and each parent is a partition
(``SupportsPartition``), against the example API."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from skillpack.examples.example_api import serve_example_api
from skillpack.sdk.mixins import SupportsPartition
from skillpack.tools import ImplementConnectorIn, implement_connector

DOC = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "apidocs_partitioned"
    / "shop_per_customer.md"
)


def _generated(tmp_path: Path):
    out = implement_connector(
        ImplementConnectorIn(path=str(DOC), source="shop", workspace=str(tmp_path))
    )
    module_path = tmp_path / "sources" / "shop" / "shop.py"
    spec = importlib.util.spec_from_file_location("shop_generated", module_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return out, module, module_path


def test_child_endpoint_is_read_per_parent_and_split_by_parent(tmp_path: Path) -> None:
    out, module, _ = _generated(tmp_path)
    assert not [t for t in out.todo if "customer_orders" in str(t)], out.todo
    connector_class = module.ShopLakeflowConnect
    assert issubclass(connector_class, SupportsPartition)
    with serve_example_api() as server:
        connector = connector_class({"base_url": server.url, "api_key": server.api_key})
        records, offset = connector.read_table("customer_orders", None, {})
        whole = sorted(r["id"] for r in records)
        parts = connector.get_partitions("customer_orders", {})
        split = sorted(
            r["id"] for p in parts for r in connector.read_partition("customer_orders", p, {})
        )
        expected = sorted(server.store.orders)
    assert offset == {}
    assert whole == split == expected
    assert len(parts) == len(server.store.customers) == 40
    assert connector.is_partitioned("customer_orders")
    assert not connector.is_partitioned("customers")


def test_generated_partitioned_connector_is_ruff_clean(tmp_path: Path) -> None:
    _, _, module_path = _generated(tmp_path)
    for cmd in (["format", "--check"], ["check"]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *cmd, "--isolated", "--line-length", "100",
             str(module_path)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr


CHAIN_DOC = """# Chat API

Base URL: `https://chat.example.test/v1`

## Tables

| Table | Endpoint | Primary Key | Ingestion |
|---|---|---|---|
| `teams` | `GET /teams` | `id` | `snapshot` |
| `channels` | `GET /teams/{team_id}/channels` | `id` | `snapshot` |
| `messages` | `GET /teams/{team_id}/channels/{channel_id}/messages` | `id` | `snapshot` |

Each response lists its records under `data`.
"""


def test_a_chain_of_parents_fills_every_placeholder_of_the_path(tmp_path: Path) -> None:
    from tests.sdk._servers import Reply, servers

    doc = tmp_path / "chat_api_doc.md"
    doc.write_text(CHAIN_DOC, encoding="utf-8")
    out = implement_connector(
        ImplementConnectorIn(path=str(doc), source="chat", workspace=str(tmp_path / "ws"))
    )
    assert not [t.what for t in out.todo if t.blocking]
    spec = importlib.util.spec_from_file_location("chat_generated", out.connector_module)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    teams = {"t1": ["c1", "c2"], "t 2": ["c3"]}

    def answer(seen):
        parts = [p for p in seen.path.split("/") if p][1:]  # after /v1
        if parts == ["teams"]:
            return Reply(200, {"data": [{"id": t} for t in teams]})
        if len(parts) == 3 and parts[2] == "channels":
            team = parts[1].replace("%20", " ")
            return Reply(200, {"data": [{"id": c} for c in teams[team]]})
        team, channel = parts[1].replace("%20", " "), parts[3]
        return Reply(200, {"data": [{"id": f"{team}/{channel}/m"}]})

    with servers() as start:
        api = start(answer)
        connector = module.ChatLakeflowConnect({"base_url": api.url + "/v1"})
        records, _ = connector.read_table("messages", {}, {})
        whole = sorted(r["id"] for r in records)
        parts = connector.get_partitions("messages", {})
        split = sorted(r["id"] for p in parts for r in connector.read_partition("messages", p, {}))
    assert whole == split == ["t 2/c3/m", "t1/c1/m", "t1/c2/m"]
    assert {"team_id": "t1", "channel_id": "c2"} in [p["parent"] for p in parts]


def test_two_unrelated_parents_make_no_chain_and_leave_their_children_to_do(tmp_path: Path):
    doc = tmp_path / "fleet_api_doc.md"
    doc.write_text(
        """# Fleet API

Base URL: `https://fleet.example.test/v1`

## Tables

| Table | Endpoint | Primary Key | Ingestion |
|---|---|---|---|
| `orgs` | `GET /orgs` | `id` | `snapshot` |
| `regions` | `GET /regions` | `id` | `snapshot` |
| `sites` | `GET /orgs/{org_id}/regions/{region_id}/sites` | `id` | `snapshot` |
| `devices` | `GET /orgs/{org_id}/regions/{region_id}/sites/{site_id}/devices` | `id` | `snapshot` |
""",
        encoding="utf-8",
    )
    out = implement_connector(
        ImplementConnectorIn(path=str(doc), source="fleet", workspace=str(tmp_path / "ws"))
    )
    blocked = {t.table for t in out.todo if t.blocking}
    assert blocked == {"sites", "devices"}, [t.what for t in out.todo]


def test_a_placeholder_named_after_a_tables_last_word_is_filled_by_that_table(tmp_path: Path):
    doc = tmp_path / "forms_api_doc.md"
    doc.write_text(
        """# Forms API

Base URL: `https://forms.example.test/v3`

## Tables

| Table | Endpoint | Primary Key | Ingestion |
|---|---|---|---|
| `surveys` | `GET /surveys` | `id` | `snapshot` |
| `survey_pages` | `GET /surveys/{survey_id}/pages` | `id` | `snapshot` |
| `survey_questions` | `GET /surveys/{survey_id}/pages/{page_id}/questions` | `id` | `snapshot` |
""",
        encoding="utf-8",
    )
    out = implement_connector(
        ImplementConnectorIn(path=str(doc), source="forms", workspace=str(tmp_path / "ws"))
    )
    # `{page_id}` is a page of `survey_pages`, not an option the person must give
    assert not [t.what for t in out.todo if "page_id" in t.what]
    spec = importlib.util.spec_from_file_location("forms_generated", out.connector_module)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    parent = module._TABLES["survey_questions"]["parent"]
    assert (parent["table"], parent["placeholder"]) == ("survey_pages", "page_id")
