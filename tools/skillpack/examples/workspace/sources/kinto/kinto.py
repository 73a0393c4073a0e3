"""Connector for Kinto, a JSON storage HTTP server (see kinto_api_doc.md beside this file).

Tables:

- ``collections``: the collections of the configured bucket (snapshot, key ``id``);
- one table per collection of the bucket, named after it: its records, read incrementally
  (``cdc_with_deletes``, key ``id``, cursor ``last_modified``, an integer epoch in ms that the
  server sets on every change). Deletions come from Kinto's tombstones.

A collection's columns come from its JSON schema when one is set, otherwise they are inferred
from a sample of its records. Either way ``id`` and ``last_modified`` come first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from skillpack.errors import ConfigError, SourceError
from skillpack.sdk.auth import BasicAuth
from skillpack.sdk.connector import LakeflowConnect, unknown_table
from skillpack.sdk.http import RestClient
from skillpack.sdk.offsets import advance_offset, cursor_from_offset
from skillpack.sdk.pagination import HeaderNextUrlPaginator
from skillpack.sdk.schema import (
    ArrayType,
    BooleanType,
    DataType,
    DoubleType,
    LongType,
    StringType,
    StructField,
    StructType,
)
from skillpack.sdk.window import ReadWindow

COLLECTIONS_TABLE = "collections"
DEFAULT_PAGE_SIZE = 200
#: records sampled to infer the columns of a collection without a JSON schema
SCHEMA_SAMPLE_SIZE = 100
CURSOR_FIELD = "last_modified"

_REQUIRED = ("base_url", "bucket", "username", "password")
_SYSTEM_FIELDS = [
    StructField("id", StringType(), False),
    StructField(CURSOR_FIELD, LongType(), False),
]
_COLLECTIONS_SCHEMA = StructType(
    [*_SYSTEM_FIELDS, StructField("schema", StringType(), True)],
)
_SNAPSHOT_METADATA = {"primary_keys": ["id"], "cursor_field": None, "ingestion_type": "snapshot"}
_RECORDS_METADATA = {
    "primary_keys": ["id"],
    "cursor_field": CURSOR_FIELD,
    "ingestion_type": "cdc_with_deletes",
}
_JSON_SCHEMA_TYPES: dict[str, type[DataType]] = {
    "string": StringType,
    "integer": LongType,
    "number": DoubleType,
    "boolean": BooleanType,
}


class KintoLakeflowConnect(LakeflowConnect):
    """Reads one Kinto bucket: its collections, and each collection's records and deletes."""

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__(options)
        missing = [k for k in _REQUIRED if not options.get(k)]
        if missing:
            raise ConfigError(
                f"missing option(s) {', '.join(f'`{k}`' for k in missing)}",
                hint="set base_url (ending in /v1), bucket, username and password",
            )
        self._bucket = str(options["bucket"])
        self._page_size = _page_size(options.get("page_size"))
        self._client = RestClient(
            str(options["base_url"]),
            auth=BasicAuth(str(options["username"]), options["password"]),
            timeout=30.0,
        )
        # Collections seen by the last listing, and schemas already worked out.
        self._collections: dict[str, dict[str, Any]] | None = None
        self._schemas: dict[str, StructType] = {}
        # A run reads each collection up to the newest change its first read saw, so it
        # ends even while records keep changing; later changes are the next run's.
        self._window = ReadWindow()

    # ---------------------------------------------------------------- tables

    def list_tables(self) -> list[str]:
        """``collections`` and one table per collection of the bucket."""
        names = [n for n in self._list_collections() if n != COLLECTIONS_TABLE]
        # A collection called "collections" would clash with the snapshot table; it is
        # left out (documented in the API doc).
        return [COLLECTIONS_TABLE, *names]

    def get_table_schema(self, table_name: str, table_options: dict[str, Any]) -> StructType:
        if table_name == COLLECTIONS_TABLE:
            return _COLLECTIONS_SCHEMA
        collection = self._collection(table_name)
        if table_name not in self._schemas:
            json_schema = collection.get("schema")
            if isinstance(json_schema, dict) and isinstance(json_schema.get("properties"), dict):
                schema = _from_json_schema(json_schema["properties"])
            else:
                schema = _infer_schema(self._sample(table_name))
            self._schemas[table_name] = schema
        return self._schemas[table_name]

    def read_table_metadata(self, table_name: str, table_options: dict[str, Any]) -> dict:
        if table_name == COLLECTIONS_TABLE:
            return dict(_SNAPSHOT_METADATA)
        self._collection(table_name)
        return dict(_RECORDS_METADATA)

    # ----------------------------------------------------------------- reads

    def read_table(
        self, table_name: str, start_offset: dict | None, table_options: dict[str, Any]
    ) -> tuple[Iterator[dict[str, Any]], dict]:
        if table_name == COLLECTIONS_TABLE:
            # A snapshot: everything, every time; the empty offset ends the read at once.
            rows = [_collection_row(c) for c in self._list_collections().values()]
            return iter(rows), {}
        schema = self.get_table_schema(table_name, table_options)
        cursor = cursor_from_offset(start_offset)
        # Without _since Kinto leaves tombstones out; with it, they come too and are dropped.
        live = [r for r in self._changes(table_name, cursor) if not r.get("deleted")]
        live = self._window.cap(table_name, live, CURSOR_FIELD, cursor)
        records = [_conform(record, schema) for record in live]
        return iter(records), advance_offset(start_offset, live, CURSOR_FIELD)

    def read_table_deletes(
        self, table_name: str, start_offset: dict | None, table_options: dict[str, Any]
    ) -> tuple[Iterator[dict[str, Any]], dict]:
        if table_name == COLLECTIONS_TABLE:
            raise ValueError(f"table `{table_name}` is a snapshot and has no delete feed")
        self._collection(table_name)
        # _since=0 on the first read: tombstones are only listed when _since is given.
        cursor = cursor_from_offset(start_offset, default=0)
        tombstones = [
            {"id": r["id"], CURSOR_FIELD: r[CURSOR_FIELD], "deleted": True}
            for r in self._changes(table_name, cursor)
            if r.get("deleted")
        ]
        return iter(tombstones), advance_offset(start_offset, tombstones, CURSOR_FIELD)

    # --------------------------------------------------------------- helpers

    def _paginate(self, path: str, params: dict[str, Any]) -> Iterable[dict[str, Any]]:
        pages = self._client.paginate(
            path,
            paginator=HeaderNextUrlPaginator(header="Next-Page"),
            params={"_limit": self._page_size, **params},
            records_path="data",
        )
        return (record for page in pages for record in page)

    def _list_collections(self) -> dict[str, dict[str, Any]]:
        try:
            listed = list(self._paginate(f"buckets/{self._bucket}/collections", {}))
        except SourceError as exc:
            if exc.status == 404:
                raise ConfigError(
                    f"bucket `{self._bucket}` does not exist on this Kinto server",
                    hint="check the `bucket` option, or create the bucket first",
                    code="kinto-bucket-missing",
                ) from None
            raise
        self._collections = {c["id"]: c for c in sorted(listed, key=lambda c: c["id"])}
        return self._collections

    def _collection(self, table_name: str) -> dict[str, Any]:
        """The collection object for ``table_name``; raises for a table the bucket lacks."""
        if self._collections is None or table_name not in self._collections:
            self._list_collections()
        assert self._collections is not None
        if table_name == COLLECTIONS_TABLE or table_name not in self._collections:
            raise unknown_table(table_name, self.list_tables())
        return self._collections[table_name]

    def _records_path(self, table_name: str) -> str:
        return f"buckets/{self._bucket}/collections/{table_name}/records"

    def _changes(self, table_name: str, since: Any) -> list[dict[str, Any]]:
        """Records (and, with ``since``, tombstones) changed strictly after ``since``."""
        params: dict[str, Any] = {"_sort": CURSOR_FIELD}
        if since is not None:
            params["_since"] = since
        return list(self._paginate(self._records_path(table_name), params))

    def _sample(self, table_name: str) -> list[dict[str, Any]]:
        pages = self._client.paginate(
            self._records_path(table_name),
            paginator=HeaderNextUrlPaginator(header="Next-Page", max_pages=1),
            params={"_sort": CURSOR_FIELD, "_limit": SCHEMA_SAMPLE_SIZE},
            records_path="data",
        )
        return [record for page in pages for record in page]


def _page_size(value: Any) -> int:
    if value in (None, ""):
        return DEFAULT_PAGE_SIZE
    try:
        size = int(value)
    except (TypeError, ValueError):
        size = 0
    if size < 1:
        raise ConfigError(
            f"invalid page_size `{value}`", hint="use a whole number of records, e.g. 200"
        )
    return size


def _collection_row(collection: dict[str, Any]) -> dict[str, Any]:
    schema = collection.get("schema")
    return {
        "id": collection["id"],
        CURSOR_FIELD: collection[CURSOR_FIELD],
        "schema": json.dumps(schema, sort_keys=True) if schema is not None else None,
    }


def _json_schema_type(spec: Any) -> DataType:
    """Our type for one JSON-schema property; anything unusual is kept as JSON text."""
    if not isinstance(spec, dict):
        return StringType()
    kind = spec.get("type")
    if isinstance(kind, list):  # ["string", "null"] and the like
        kind = next((k for k in kind if k != "null"), None)
    if kind in _JSON_SCHEMA_TYPES:
        return _JSON_SCHEMA_TYPES[kind]()
    if kind == "array":
        return ArrayType(_json_schema_type(spec.get("items")), True)
    if kind == "object" and isinstance(spec.get("properties"), dict):
        return StructType(
            [StructField(k, _json_schema_type(v), True) for k, v in spec["properties"].items()]
        )
    return StringType()


def _from_json_schema(properties: dict[str, Any]) -> StructType:
    fields = [
        StructField(name, _json_schema_type(spec), True)
        for name, spec in properties.items()
        if name not in ("id", CURSOR_FIELD)
    ]
    return StructType([*_SYSTEM_FIELDS, *fields])


def _value_type(value: Any) -> DataType | None:
    """The column type a JSON value suggests; ``None`` for null."""
    if value is None:
        return None
    if isinstance(value, bool):
        return BooleanType()
    if isinstance(value, int):
        return LongType()
    if isinstance(value, float):
        return DoubleType()
    if isinstance(value, list):
        kinds = {type(t) for t in map(_value_type, value) if t is not None}
        simple = kinds <= {StringType, LongType, DoubleType, BooleanType}
        element = kinds.pop()() if len(kinds) == 1 and simple else StringType()
        return ArrayType(element, True)
    # strings, and objects (kept as JSON text: their shape varies between records)
    return StringType()


def _merge(a: DataType | None, b: DataType | None) -> DataType | None:
    if a is None or b is None or a == b:
        return a or b
    if {type(a), type(b)} == {LongType, DoubleType}:
        return DoubleType()
    return StringType()


def _infer_schema(records: list[dict[str, Any]]) -> StructType:
    kinds: dict[str, DataType | None] = {}
    for record in records:
        if record.get("deleted"):
            continue
        for name, value in record.items():
            if name not in ("id", CURSOR_FIELD):
                kinds[name] = _merge(kinds.get(name), _value_type(value))
    fields = [StructField(n, t or StringType(), True) for n, t in kinds.items()]
    return StructType([*_SYSTEM_FIELDS, *fields])


def _conform(value: Any, data_type: DataType) -> Any:
    """Shape ``value`` to ``data_type``: drop fields outside the schema, JSON-encode odd ones."""
    if value is None:
        return None
    if isinstance(data_type, StructType):
        if not isinstance(value, dict):
            return None
        return {f.name: _conform(value.get(f.name), f.dataType) for f in data_type.fields}
    if isinstance(data_type, ArrayType):
        if not isinstance(value, list):
            return [_conform(value, data_type.elementType)]
        return [_conform(v, data_type.elementType) for v in value]
    if isinstance(data_type, StringType) and not isinstance(value, str):
        return json.dumps(value, sort_keys=True)
    if isinstance(data_type, DoubleType) and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value
