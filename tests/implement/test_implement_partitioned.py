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
