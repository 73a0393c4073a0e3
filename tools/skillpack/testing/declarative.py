"""Write-back utilities described as data: which endpoints write which fields.

``write_test_utils`` generates a small subclass per source; the behaviour lives
here, once, so a generated file is a table of facts taken from the API doc::

    class ShopTestUtils(DeclarativeWriteTestUtils):
        tables = {
            "orders": WriteTable(
                insert="POST /orders",
                delete="DELETE /orders/{id}",
                key="id",
                fields={"id": "string", "amount": "double"},
                mapping={"id": "id", "amount": "amount"},
                deletable=True,
            ),
        }

Field paths may be dotted (``address.city``): the request body nests them. Path
placeholders are filled from the row (``{id}``), the table name (``{table}``) or the
connection options (``{bucket}``). Rows carry ``test_`` string values and uuid4 keys,
and ``cleanup()`` deletes every row written.
"""

from __future__ import annotations

import string
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, ClassVar

from skillpack.errors import ConfigError, SourceError
from skillpack.sdk.auth import auth_from_options
from skillpack.sdk.http import RestClient
from skillpack.sdk.offsets import get_path
from skillpack.testing.config import is_production
from skillpack.testing.write_back import LakeflowConnectWriteTestUtils

Row = dict[str, Any]


@dataclass(frozen=True)
class WriteTable:
    """How to write (and delete) test rows of one table."""

    insert: str | None
    delete: str | None = None
    #: body field that holds the primary key; generated unless ``key_in_body`` is False
    key: str = "id"
    key_in_body: bool = True
    #: body field path -> type (string, bigint, double, boolean, date, timestamp, array)
    fields: dict[str, str] = field(default_factory=dict)
    #: body field path -> dot-path of the same value in the records read back
    mapping: dict[str, str] = field(default_factory=dict)
    #: a cdc_with_deletes table whose deletes the connector reads
    deletable: bool = False
    #: JSON key the API wraps the body in (e.g. ``data``), if any
    envelope: str | None = None


def _split(endpoint: str) -> tuple[str, str]:
    method, _, path = endpoint.strip().partition(" ")
    return method.upper(), path.strip().lstrip("/")


def _nest(row: Row) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for path, value in row.items():
        node = body
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return body


def _value(name: str, kind: str, tag: str) -> Any:
    leaf = name.rsplit(".", 1)[-1]
    kind = kind.lower()
    if kind.startswith("array"):
        return [f"test_{leaf}_{tag}"]
    if kind in ("bigint", "integer", "int", "long"):
        return int(tag[:6], 16) % 1_000_000 + 1
    if kind in ("double", "number", "float", "decimal"):
        return round((int(tag[:4], 16) % 10_000) / 100 + 1, 2)
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if kind == "date":
        return date.today().isoformat()
    if "email" in leaf:
        return f"test_{tag}@example.com"
    return f"test_{leaf}_{tag}"


class DeclarativeWriteTestUtils(LakeflowConnectWriteTestUtils):
    """Write-back utilities driven by ``tables``; see the module docstring."""

    tables: ClassVar[dict[str, WriteTable]] = {}
    #: option holding the API's base URL; ``default_base_url`` is used when it is absent
    base_url_option: ClassVar[str] = "base_url"
    default_base_url: ClassVar[str | None] = None
    #: how the API authenticates (bearer, api_key, basic, oauth2_refresh, none); None infers
    #: it from the option names, as ``skillpack.sdk.auth.auth_from_options`` does
    auth_kind: ClassVar[str | None] = None
    #: the option holding the token or key, when the doc names it (e.g. ``api_key``)
    auth_option: ClassVar[str | None] = None
    #: header (or query parameter) an API key is sent in
    api_key_name: ClassVar[str | None] = None

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__(options)
        if is_production(options):
            raise ConfigError(
                "refusing to write test data: the config is marked `environment: production`",
                hint="point the write-back tests at a non-production environment",
                code="production-config",
            )
        base_url = options.get(self.base_url_option) or self.default_base_url
        if not base_url:
            raise ConfigError(
                f"missing option `{self.base_url_option}`",
                hint=f"set `{self.base_url_option}` in the connector config",
            )
        self._client = RestClient(base_url, auth=self._auth(options), timeout=30.0)
        self._written: list[tuple[str, Row]] = []

    def _auth(self, options: dict[str, Any]) -> Any:
        # The doc names the option that holds the credential (`api_key` sent as a bearer
        # token, say); hand it to the SDK under the name it expects for that kind.
        named = dict(options)
        if self.auth_option and self.auth_kind in ("bearer", "api_key"):
            named["token" if self.auth_kind == "bearer" else "api_key"] = options.get(
                self.auth_option
            )
            if self.api_key_name:
                named["api_key_name"] = self.api_key_name
        return auth_from_options(named, self.auth_kind)

    def list_insertable_tables(self) -> list[str]:
        return [name for name, spec in self.tables.items() if spec.insert]

    def list_deletable_tables(self) -> list[str]:
        return [name for name, spec in self.tables.items() if spec.deletable and spec.delete]

    def _spec(self, table: str) -> WriteTable:
        try:
            return self.tables[table]
        except KeyError:
            raise ValueError(f"no write-back endpoints for table `{table}`") from None

    def _path(self, template: str, table: str, row: Row) -> str:
        values = {"table": table, **{k.rsplit(".", 1)[-1]: v for k, v in row.items()}}
        for _, name, _, _ in string.Formatter().parse(template):
            if name and name not in values:
                if name not in self.options:
                    raise ConfigError(
                        f"endpoint `{template}` needs `{name}`, which is neither a row field "
                        "nor a connection option",
                        hint=f"set `{name}` in the connector config",
                    )
                values[name] = self.options[name]
        return template.format(**values)

    def make_row(self, table: str) -> Row:
        """One row of test values: a uuid key, ``test_`` strings, valid values per type."""
        spec = self._spec(table)
        tag = uuid.uuid4().hex
        row = {name: _value(name, kind, tag) for name, kind in spec.fields.items()}
        if spec.key_in_body and spec.fields.get(spec.key, "string") == "string":
            # A bare uuid4: many APIs (Kinto among them) accept caller ids only in that shape.
            row[spec.key] = str(uuid.UUID(tag))
        return row

    def _insert(self, table: str, row: Row) -> Row:
        spec = self._spec(table)
        method, template = _split(spec.insert or "")
        body = _nest(row)
        payload = {spec.envelope: body} if spec.envelope else body
        response = self._client.request(method, self._path(template, table, row), json=payload)
        if not spec.key_in_body:
            # The source assigns the key: take it from the answer (bare or enveloped).
            data = response.json() if response.content else {}
            key = get_path(data, spec.key)
            if key is None and isinstance(data, dict):
                key = get_path(data.get(spec.envelope or "data") or {}, spec.key)
            if key is None:
                raise SourceError(
                    f"`{table}`: the insert answer carries no `{spec.key}`",
                    hint="set key_in_body=True or fix `key` to the answer's key path",
                )
            row = {**row, spec.key: key}
        self._written.append((table, row))
        return row

    def generate_rows_and_write(self, table_name: str, number_of_rows: int):
        spec = self._spec(table_name)
        rows = [self._insert(table_name, self.make_row(table_name)) for _ in range(number_of_rows)]
        mapping = dict(spec.mapping) or ({name: name for name in rows[0]} if rows else {})
        return True, rows, mapping

    def _delete(self, table: str, row: Row) -> None:
        method, template = _split(self._spec(table).delete or "")
        self._client.request(method, self._path(template, table, row))

    def delete_rows(self, table_name: str, number_of_rows: int):
        # Insert first so the source keeps its size, then delete exactly those rows.
        spec = self._spec(table_name)
        _, rows, _ = self.generate_rows_and_write(table_name, number_of_rows)
        for row in rows:
            self._delete(table_name, row)
        key_path = spec.mapping.get(spec.key, spec.key)
        return True, [{spec.key: row[spec.key]} for row in rows], {spec.key: key_path}

    def cleanup(self) -> None:
        for table, row in reversed(self._written):
            if not self._spec(table).delete:
                continue
            try:
                self._delete(table, row)
            except SourceError as exc:
                if exc.status != 404:  # already deleted by a test
                    raise
        self._written.clear()
