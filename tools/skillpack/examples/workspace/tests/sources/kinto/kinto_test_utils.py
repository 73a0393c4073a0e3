"""Write-back utilities for Kinto: insert test records into the bucket's collections, delete
some, and remove everything written afterwards.

Rows get uuid ids (Kinto's own id format) and ``test_``-prefixed text, so leftovers are easy
to spot. The values follow each collection's JSON schema, or the types of an existing record
when the collection has none. ``last_modified`` is never sent: the server sets it.
"""

from __future__ import annotations

import uuid
from typing import Any

from skillpack.sdk.auth import BasicAuth
from skillpack.sdk.http import RestClient
from skillpack.sdk.pagination import HeaderNextUrlPaginator
from skillpack.testing import LakeflowConnectWriteTestUtils

TEST_PREFIX = "test_"
_SNAPSHOT_TABLE = "collections"
_SERVER_FIELDS = ("id", "last_modified", "deleted")


class KintoTestUtils(LakeflowConnectWriteTestUtils):
    """Writes ``test_`` records with uuid ids to the collections of the configured bucket."""

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__(options)
        self._bucket = str(options["bucket"])
        self._client = RestClient(
            str(options["base_url"]),
            auth=BasicAuth(str(options["username"]), options["password"]),
            timeout=30.0,
        )
        self._written: list[tuple[str, str]] = []

    # ------------------------------------------------------------- listing

    def _collections(self) -> list[dict[str, Any]]:
        return list(
            self._client.iter_records(
                f"buckets/{self._bucket}/collections",
                paginator=HeaderNextUrlPaginator(header="Next-Page"),
                records_path="data",
            )
        )

    def list_insertable_tables(self) -> list[str]:
        return sorted(c["id"] for c in self._collections() if c["id"] != _SNAPSHOT_TABLE)

    def list_deletable_tables(self) -> list[str]:
        # Every collection keeps tombstones, so each one is cdc_with_deletes.
        return self.list_insertable_tables()

    def _records_path(self, table: str) -> str:
        return f"buckets/{self._bucket}/collections/{table}/records"

    # ------------------------------------------------------------- writing

    def _field_kinds(self, table: str) -> dict[str, str]:
        """Field name -> JSON type to fill, from the JSON schema or an existing record."""
        collection = self._client.get_json(f"buckets/{self._bucket}/collections/{table}")["data"]
        properties = (collection.get("schema") or {}).get("properties")
        if isinstance(properties, dict):
            return {
                name: _schema_kind(spec)
                for name, spec in properties.items()
                if name not in _SERVER_FIELDS
            }
        sample = self._client.get_json(self._records_path(table), params={"_limit": 1})["data"]
        if not sample:
            return {"title": "string"}
        return {
            name: _value_kind(value)
            for name, value in sample[0].items()
            if name not in _SERVER_FIELDS
        }

    def _row(self, table: str, kinds: dict[str, str]) -> dict[str, Any]:
        tag = uuid.uuid4()
        row: dict[str, Any] = {"id": str(tag)}
        for name, kind in kinds.items():
            value = _generated(kind, name, tag)
            if value is not None:
                row[name] = value
        return row

    def generate_rows_and_write(
        self, table_name: str, number_of_rows: int
    ) -> tuple[bool, list[dict[str, Any]], dict[str, str]]:
        kinds = self._field_kinds(table_name)
        rows = [self._row(table_name, kinds) for _ in range(number_of_rows)]
        for row in rows:
            data = {k: v for k, v in row.items() if k != "id"}
            self._client.put(f"{self._records_path(table_name)}/{row['id']}", json={"data": data})
            self._written.append((table_name, row["id"]))
        # Records are read back with the same field names, at the top level.
        return True, rows, {name: name for name in rows[0]}

    def delete_rows(
        self, table_name: str, number_of_rows: int
    ) -> tuple[bool, list[dict[str, Any]], dict[str, str]]:
        # Insert first so the seed data stays, then delete exactly those rows.
        _, rows, _ = self.generate_rows_and_write(table_name, number_of_rows)
        for row in rows:
            self._client.delete(f"{self._records_path(table_name)}/{row['id']}")
        return True, [{"id": row["id"]} for row in rows], {"id": "id"}

    # ------------------------------------------------------------- cleanup

    def cleanup(self) -> None:
        """Delete every record written, then check that no test record is left."""
        for table, record_id in reversed(self._written):
            try:
                self._client.delete(f"{self._records_path(table)}/{record_id}")
            except Exception as exc:
                # 404: a test already deleted it. Anything else is worth seeing.
                if getattr(exc, "status", None) != 404:
                    raise
        tables = sorted({table for table, _ in self._written})
        self._written.clear()
        left = {t: n for t in tables if (n := len(self.leftover_test_records(t)))}
        if left:
            raise AssertionError(f"test records left after cleanup: {left}")

    def leftover_test_records(self, table: str) -> list[dict[str, Any]]:
        """Live records of ``table`` that look written by these utilities."""
        records = self._client.iter_records(
            self._records_path(table),
            paginator=HeaderNextUrlPaginator(header="Next-Page"),
            records_path="data",
        )
        return [r for r in records if is_test_record(r)]


def is_test_record(record: dict[str, Any]) -> bool:
    """True when a text value of ``record`` starts with ``test_``."""
    return any(isinstance(v, str) and v.startswith(TEST_PREFIX) for v in record.values())


def _schema_kind(spec: Any) -> str:
    kind = spec.get("type") if isinstance(spec, dict) else None
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "array":
        items = spec.get("items") if isinstance(spec.get("items"), dict) else {}
        return "array" if items.get("type", "string") == "string" else "other"
    return kind if kind in ("string", "integer", "number", "boolean") else "other"


def _value_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "array"
    return "other"


def _generated(kind: str, name: str, tag: uuid.UUID) -> Any:
    """A value of JSON type ``kind``; ``None`` for kinds left out (objects, mixed arrays)."""
    short = tag.hex[:12]
    number = tag.int % 100_000
    return {
        "string": f"{TEST_PREFIX}{name}_{short}",
        "integer": number,
        "number": number + 0.5,
        "boolean": True,
        "array": [f"{TEST_PREFIX}{short}"],
    }.get(kind)
