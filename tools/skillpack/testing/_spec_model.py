"""The simulator spec (``sources/NAME/simulator_spec.yaml``): what the offline simulator serves.

A spec names the connector option that receives the simulator's URL, stand-in options, and
for each table its read endpoint, pagination and incremental filter. Columns, keys and the
cursor come from the connector itself (``get_table_schema``/``read_table_metadata``) unless
the table lists ``fields``, ``primary_key`` or ``cursor_field``. A minimal spec::

    base_url_option: base_url       # connector option set to the simulator's URL
    base_path: /v1                  # the URL is http://127.0.0.1:PORT/v1
    config: {api_key: stand-in}     # options given to the connector on top of the found ones
    auth_header: Authorization      # requests without it get 401
    defaults:                       # merged into every table
      records_path: data
      pagination: {type: cursor, cursor_param: cursor, next_cursor_path: next_cursor}
    tables:
      customers:
        endpoint: /customers
        since_param: since          # only records whose cursor is after this value
        since_prefix: gt            # optional: sent as `since=gt<cursor>`, as FHIR does
      orders:
        endpoint: /orders
        since_param: since
        deletes: {endpoint: /orders/deleted, cursor_field: deleted_at, since_param: since}

A delete feed may be the read endpoint itself, asked with fixed parameters
(``deletes: {endpoint: /contacts, params: {archived: "true"}}``): requests carrying them get
the deleted records, the others the live ones.

A table may say what the doc says of its endpoint: ``method: POST`` (other methods get 405),
``required_params: [from_date]`` (a request without one gets 400), ``format: jsonl`` (one
record per line) and ``match_params: {type: cohort}`` (tables sharing an endpoint are told
apart by these parameters; a request matching no table's gets 400).
``table_options: {survey_id: stand-in}`` are the table options the suite reads the table with.
``records: [...]`` serves fixed records instead of generated ones, and ``endpoints`` serves
fixed answers (``{method, path, status, body, headers}``; ``open: true`` answers without the
auth header, as a token endpoint does). A ``config`` value may hold ``{simulator_url}``, the
simulator's URL (an OAuth ``token_url`` pointing at such an endpoint). ``{option}`` in a path
is filled from the connector config. Pagination types: ``none``, ``cursor``, ``offset``, ``page``,
``next_url_header`` (Kinto's ``Next-Page``) and ``link_header``; ``ignores_params: true``
in a pagination plays a server that ignores them (every request gets the first page), which
a connector's paging must survive by ending with ``pagination-loop``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from skillpack.errors import InputError, known_values
from skillpack.sdk.schema import StructField, StructType, from_json

PAGINATION_TYPES = ("none", "cursor", "offset", "page", "next_url_header", "link_header")
FORMATS = ("json", "jsonl")
DEFAULT_RECORDS = 25
DEFAULT_PAGE_SIZE = 10


@dataclass(frozen=True)
class Pagination:
    """How a list endpoint pages; only the fields of its ``type`` matter."""

    type: str = "none"
    limit_param: str | None = "limit"
    page_size: int = DEFAULT_PAGE_SIZE
    cursor_param: str = "cursor"
    next_cursor_path: str = "next_cursor"
    offset_param: str = "offset"
    page_param: str = "page"
    start_page: int = 1
    #: ``page``: the body field naming the next page number (null on the last page)
    next_page_path: str | None = None
    header: str = "Next-Page"
    token_param: str = "_token"
    #: play a server that ignores the paging parameters: every request gets the first page
    ignores_params: bool = False


@dataclass(frozen=True)
class Deletes:
    """Deleted records: a separate feed (``endpoint``) or tombstones inline (``flag_field``)."""

    endpoint: str | None = None
    #: with ``endpoint``: the query parameters (and values) that ask it for deleted records
    params: dict[str, str] = field(default_factory=dict)
    flag_field: str | None = None
    cursor_field: str | None = None
    since_param: str | None = None
    records: int = 3


@dataclass(frozen=True)
class TableSpec:
    """One table: where it is read, how it pages and filters, and what it holds."""

    name: str
    endpoint: str
    records_path: str | None = "data"
    pagination: Pagination = field(default_factory=Pagination)
    since_param: str | None = None
    #: what a request puts before the cursor value (``gt`` in ``_lastUpdated=gt2024-...``)
    since_prefix: str = ""
    cursor_field: str | None = None
    primary_key: tuple[str, ...] | None = None
    fields: StructType | None = None
    records: tuple[dict[str, Any], ...] | None = None
    count: int = DEFAULT_RECORDS
    deletes: Deletes | None = None
    #: the method the doc reads the table with; other methods get 405
    method: str = "GET"
    #: query (or, for POST, body) parameters the doc requires; a request without one gets 400
    required_params: tuple[str, ...] = ()
    #: ``json`` (one document) or ``jsonl`` (one record per line, no paging envelope)
    format: str = "json"
    #: parameter values that select this table among tables sharing its endpoint
    match_params: dict[str, str] = field(default_factory=dict)
    #: stand-in table options the suite reads the table with (a required filter's value)
    table_options: dict[str, Any] = field(default_factory=dict)


#: stands, in a ``config`` value, for the simulator's URL once it is serving
SIMULATOR_URL = "{simulator_url}"


@dataclass(frozen=True)
class Endpoint:
    """A fixed answer for one method and path."""

    method: str
    path: str
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    #: answered without the auth header (an OAuth token endpoint is asked before any token)
    open: bool = False


@dataclass(frozen=True)
class SimulatorSpec:
    """A whole simulator spec file, validated."""

    path: Path
    base_url_option: str
    base_path: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    auth_header: str | None = None
    tables: dict[str, TableSpec] = field(default_factory=dict)
    endpoints: tuple[Endpoint, ...] = ()


class _Reader:
    """Pulls typed values out of the parsed YAML with errors that name file and key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, problem: str, hint: str) -> InputError:
        return InputError(
            f"{self.path.name}: `{where}` {problem}", hint=hint, code="bad-simulator-spec"
        )

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(
                where, f"must be a mapping, got {type(value).__name__}", "use key: value"
            )
        return value

    def query_values(self, value: Any, where: str) -> dict[str, str]:
        """Query parameters and the values a request must carry, as the query spells them:
        YAML reads `archived: true` as a boolean, the query sends `true`."""
        return {
            str(k): str(v).lower() if isinstance(v, bool) else str(v)
            for k, v in self.mapping(value, where).items()
        }

    def text(self, value: Any, where: str, *, required: bool = False) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value:
            raise self.fail(where, "must be a non-empty string", f"set `{where}`")
        return value

    def number(self, value: Any, where: str, default: int, minimum: int = 0) -> int:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(where, f"must be a whole number >= {minimum}", f"e.g. {default}")
        return value

    def pagination(self, raw: Any, where: str) -> Pagination:
        data = self.mapping(raw, where)
        kind = data.get("type", "none")
        if kind not in PAGINATION_TYPES:
            raise self.fail(
                f"{where}.type", "is unknown", known_values("type", kind, PAGINATION_TYPES)
            )
        known = set(Pagination.__dataclass_fields__)
        extra = sorted(set(data) - known)
        if extra:
            raise self.fail(
                where, f"has unknown keys {extra}", known_values("key", extra[0], known)
            )
        values = dict(data)
        if not isinstance(values.get("ignores_params", False), bool):
            raise self.fail(f"{where}.ignores_params", "must be true or false", "e.g. true")
        values["page_size"] = self.number(
            data.get("page_size"), f"{where}.page_size", DEFAULT_PAGE_SIZE, 1
        )
        return Pagination(**values)

    def fields(self, raw: Any, where: str) -> StructType | None:
        if raw is None:
            return None
        data = self.mapping(raw, where)
        out = []
        for name, kind in data.items():
            try:
                out.append(StructField(str(name), from_json(kind), True))
            except InputError as exc:
                raise self.fail(
                    f"{where}.{name}", f"has an unknown type: {exc}", exc.hint
                ) from None
        return StructType(out)

    def deletes(self, raw: Any, where: str) -> Deletes | None:
        if raw is None:
            return None
        data = self.mapping(raw, where)
        endpoint = self.text(data.get("endpoint"), f"{where}.endpoint")
        flag = self.text(data.get("flag_field"), f"{where}.flag_field")
        if (endpoint is None) == (flag is None):
            raise self.fail(
                where,
                "needs exactly one of `endpoint` (a delete feed) and `flag_field` (tombstones "
                "in the read endpoint)",
                "e.g. `endpoint: /orders/deleted` or `flag_field: deleted`",
            )
        return Deletes(
            endpoint=endpoint,
            params=self.query_values(data.get("params"), f"{where}.params"),
            flag_field=flag,
            cursor_field=self.text(data.get("cursor_field"), f"{where}.cursor_field"),
            since_param=self.text(data.get("since_param"), f"{where}.since_param"),
            records=self.number(data.get("records"), f"{where}.records", 3, 1),
        )

    def table(self, name: str, raw: Any, defaults: dict[str, Any]) -> TableSpec:
        where = f"tables.{name}"
        data = {**defaults, **self.mapping(raw, where)}
        records = data.get("records")
        if records is not None and not (
            isinstance(records, list) and all(isinstance(r, dict) for r in records)
        ):
            raise self.fail(f"{where}.records", "must be a list of mappings", "or leave it out")
        keys = data.get("primary_key")
        if isinstance(keys, str):
            keys = [keys]
        return TableSpec(
            name=name,
            endpoint=self.text(data.get("endpoint"), f"{where}.endpoint", required=True) or "",
            records_path=data.get("records_path", "data"),
            pagination=self.pagination(data.get("pagination"), f"{where}.pagination"),
            since_param=self.text(data.get("since_param"), f"{where}.since_param"),
            since_prefix=self.text(data.get("since_prefix"), f"{where}.since_prefix") or "",
            cursor_field=self.text(data.get("cursor_field"), f"{where}.cursor_field"),
            primary_key=tuple(keys) if keys else None,
            fields=self.fields(data.get("fields"), f"{where}.fields"),
            records=tuple(records) if records is not None else None,
            count=self.number(data.get("count"), f"{where}.count", DEFAULT_RECORDS, 1),
            deletes=self.deletes(data.get("deletes"), f"{where}.deletes"),
            method=str(data.get("method") or "GET").upper(),
            required_params=tuple(str(p) for p in data.get("required_params") or ()),
            format=self.choice(data.get("format"), f"{where}.format", FORMATS),
            match_params=self.query_values(data.get("match_params"), f"{where}.match_params"),
            table_options=self.mapping(data.get("table_options"), f"{where}.table_options"),
        )

    def choice(self, value: Any, where: str, known: tuple[str, ...]) -> str:
        if value is None:
            return known[0]
        if value not in known:
            raise self.fail(where, "is unknown", known_values("value", str(value), known))
        return str(value)

    def endpoint(self, raw: Any, where: str) -> Endpoint:
        data = self.mapping(raw, where)
        return Endpoint(
            method=str(data.get("method", "GET")).upper(),
            path=self.text(data.get("path"), f"{where}.path", required=True) or "",
            status=self.number(data.get("status"), f"{where}.status", 200, 100),
            body=data.get("body"),
            headers={str(k): str(v) for k, v in self.mapping(data.get("headers"), where).items()},
            open=bool(data.get("open", False)),
        )


def load_spec(path: Path) -> SimulatorSpec:
    """Read and validate a simulator spec; ``InputError`` names the file and the bad key."""
    reader = _Reader(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise InputError(
            f"{path.name} is not valid YAML{where}",
            hint="fix the YAML syntax",
            code="bad-simulator-spec",
        ) from None
    data = reader.mapping(raw, "<file>")
    tables = reader.mapping(data.get("tables"), "tables")
    if not tables:
        raise reader.fail("tables", "is empty", "describe at least one table")
    defaults = reader.mapping(data.get("defaults"), "defaults")
    return SimulatorSpec(
        path=path,
        base_url_option=reader.text(data.get("base_url_option"), "base_url_option") or "base_url",
        base_path="/" + str(data.get("base_path") or "").strip("/")
        if data.get("base_path")
        else "",
        config=reader.mapping(data.get("config"), "config"),
        auth_header=reader.text(data.get("auth_header"), "auth_header"),
        tables={str(n): reader.table(str(n), t, defaults) for n, t in tables.items()},
        endpoints=tuple(
            reader.endpoint(e, f"endpoints[{i}]") for i, e in enumerate(data.get("endpoints") or [])
        ),
    )
