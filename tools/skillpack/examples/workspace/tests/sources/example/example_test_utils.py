"""Write-back utilities for the example API: insert into customers, orders and events,
delete from orders, and remove everything written afterwards."""

from __future__ import annotations

import uuid
from typing import Any

from skillpack.errors import SourceError
from skillpack.sdk.auth import BearerAuth
from skillpack.sdk.http import RestClient
from skillpack.testing import LakeflowConnectWriteTestUtils

# Written field -> where it appears in the records the connector reads back.
_MAPPINGS = {
    "customers": {"id": "id", "name": "name", "email": "email", "city": "address.city"},
    "orders": {"id": "id", "customer_id": "customer_id", "amount": "amount", "status": "status"},
    "events": {"event_id": "event_id", "type": "type"},
}


class ExampleTestUtils(LakeflowConnectWriteTestUtils):
    """Writes test rows (``test_``-prefixed, uuid ids) to the example API."""

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__(options)
        self._client = RestClient(options["base_url"], auth=BearerAuth(options["api_key"]))
        self._written: list[tuple[str, str]] = []

    def list_insertable_tables(self) -> list[str]:
        return ["customers", "orders", "events"]

    def list_deletable_tables(self) -> list[str]:
        return ["orders"]

    def _row(self, table: str) -> dict[str, Any]:
        tag = uuid.uuid4().hex[:12]
        if table == "customers":
            return {
                "id": f"test_{tag}",
                "name": f"test_customer_{tag}",
                "email": f"test_{tag}@example.com",
                "city": f"test_city_{tag}",
                "country": "PT",
            }
        if table == "orders":
            return {"id": f"test_{tag}", "customer_id": "c0001", "amount": 12.5, "status": "open"}
        return {"event_id": f"test_{tag}", "type": "generated_event"}

    def generate_rows_and_write(
        self, table_name: str, number_of_rows: int
    ) -> tuple[bool, list[dict[str, Any]], dict[str, str]]:
        rows = [self._row(table_name) for _ in range(number_of_rows)]
        for row in rows:
            self._client.post(table_name, json=row)
            key = row.get("id") or row["event_id"]
            self._written.append((table_name, key))
        return True, rows, _MAPPINGS[table_name]

    def delete_rows(
        self, table_name: str, number_of_rows: int
    ) -> tuple[bool, list[dict[str, Any]], dict[str, str]]:
        # Insert first so the source keeps its size, then delete exactly those rows.
        _, rows, _ = self.generate_rows_and_write(table_name, number_of_rows)
        for row in rows:
            self._client.delete(f"{table_name}/{row['id']}")
        return True, [{"id": row["id"]} for row in rows], {"id": "id"}

    def cleanup(self) -> None:
        for table, key in reversed(self._written):
            # 404 means a test already deleted it; anything else is worth seeing.
            try:
                self._client.delete(f"{table}/{key}")
            except SourceError as exc:
                if exc.status != 404:
                    raise
        self._written.clear()
