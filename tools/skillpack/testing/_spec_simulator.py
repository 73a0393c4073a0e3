"""The spec-driven simulator: a 127.0.0.1 HTTP server answering from a simulator spec.

It lets the generic suite run offline for a connector that has no cassette and no
credentials yet. Tables are served from records generated from their schemas (see
``_spec_data``), filtered by the table's ``since_param`` and paged as the spec says; fixed
``endpoints`` answer as written. Anything else gets a 404 whose message says what to add.
Writes get 405: the write-back tests that write never run in simulate mode.

    with serve_spec(spec, config) as sim:
        config[spec.base_url_option] = sim.url
        sim.prepare(lambda: MyConnector(config))   # schemas and keys come from the connector
        ...                                        # the connector now reads sim.url
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from skillpack.errors import InputError
from skillpack.sdk.offsets import compare_cursors, get_path
from skillpack.sdk.schema import DataType, StructType, coerce_schema
from skillpack.testing import _spec_data
from skillpack.testing._spec_model import Pagination, SimulatorSpec, TableSpec

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass
class _TableData:
    """What one table serves: live rows in cursor order and its deleted records."""

    spec: TableSpec
    rows: list[dict[str, Any]]
    deleted: list[dict[str, Any]]
    cursor: str | None
    #: what new records are generated from (None: the spec lists fixed records)
    schema: StructType | None = None
    keys: tuple[str, ...] = ()
    #: records numbered so far, live and deleted: new ones continue the numbering
    serial: int = 0


class _BadRequest(Exception):
    pass


class _Lines(list):
    """Records answered as JSON lines, one per line."""


class SpecSimulator(ThreadingHTTPServer):
    """The simulator server; ``url`` is the base URL to hand to the connector."""

    daemon_threads = True

    def __init__(self, spec: SimulatorSpec, config: Mapping[str, Any]) -> None:
        self.spec = spec
        self.config = config
        self.data: dict[str, _TableData] = {}
        #: requests answered so far (tests and benches count a walk's requests with it)
        self.requests = 0
        #: held while records are added or deleted between reads
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT``."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """The origin plus the spec's ``base_path``."""
        return self.origin + self.spec.base_path

    def fill(self, path: str) -> str:
        """``path`` with ``{option}`` placeholders replaced from the connector config."""
        return _PLACEHOLDER.sub(lambda m: str(self.config.get(m.group(1), m.group(0))), path)

    def prepare(self, connector_factory: Callable[[], Any]) -> None:
        """Work out each table's schema, keys and cursor, and generate its records.

        The connector is built (once) only for tables whose spec leaves something out.
        """
        built: list[Any] = []

        def connector() -> Any:
            if not built:
                built.append(connector_factory())
            return built[0]

        for table in self.spec.tables.values():
            try:
                self.data[table.name] = _table_data(table, connector)
            except InputError:
                raise
            except Exception as exc:
                raise InputError(
                    f"{self.spec.path.name}: could not get the schema, keys or cursor of table "
                    f"`{table.name}` from the connector ({type(exc).__name__}: {exc})",
                    hint="give the table `fields`, `primary_key` and `cursor_field` in the spec, "
                    "or fix the connector's get_table_schema/read_table_metadata",
                    code="bad-simulator-spec",
                ) from None


def change_records(sim: SpecSimulator, table: str, n: int) -> list[dict[str, Any]]:
    """Change ``n`` records of ``table``: the oldest one updated (when ``n`` > 1), the rest new.

    Every changed record gets a cursor after everything served so far, as on a live source
    (``validate_incremental_sync`` changes the source between reads with it).
    """
    data = _changeable(sim, table)
    with sim.lock:
        changed: list[dict[str, Any]] = []
        if n > 1 and data.rows and data.cursor:
            data.serial += 1
            row = dict(data.rows[0])
            row[data.cursor] = _spec_data.cursor_value(
                _column_type(data.schema, data.cursor), data.serial
            )
            data.rows = [*data.rows[1:], row]
            changed.append(row)
        start, count = data.serial, n - len(changed)
        rows = _spec_data.generate(data.schema, table, start + count, data.keys, data.cursor)
        data.rows = [*data.rows, *rows[start:]]
        data.serial += count
    return [*changed, *rows[start:]]


def delete_records(sim: SpecSimulator, table: str, n: int) -> list[dict[str, Any]]:
    """Delete the first ``n`` live records of ``table``; each leaves a newer tombstone."""
    data = _changeable(sim, table)
    spec = data.spec.deletes
    if spec is None:
        raise InputError(f"table `{table}` has no delete feed in the simulator spec")
    field = spec.cursor_field or data.cursor or "deleted_at"
    kind = _column_type(data.schema, field) or _column_type(data.schema, data.cursor)
    with sim.lock:
        gone, data.rows = data.rows[:n], data.rows[n:]
        stones = []
        for row in gone:
            data.serial += 1
            stone = {k: row.get(k) for k in data.keys}
            stone[field] = _spec_data.cursor_value(kind, data.serial)
            if spec.flag_field:
                stone[spec.flag_field] = True
            stones.append(stone)
        data.deleted = [*data.deleted, *stones]
    return [{k: row.get(k) for k in data.keys} for row in gone]


def _changeable(sim: SpecSimulator, table: str) -> _TableData:
    data = sim.data.get(table)
    if data is None or data.schema is None:
        raise InputError(
            f"the simulator cannot change table `{table}`: it serves fixed records",
            hint="remove the table's `records` from the simulator spec to have them generated",
        )
    return data


def _table_data(table: TableSpec, connector: Callable[[], Any]) -> _TableData:
    if table.records is not None:
        rows = [dict(r) for r in table.records]
        return _TableData(
            table, rows, _deleted(table, None, len(rows), (), None), table.cursor_field
        )
    schema = table.fields or coerce_schema(connector().get_table_schema(table.name, {}))
    needs_meta = table.primary_key is None or (
        table.cursor_field is None and (table.since_param or table.deletes)
    )
    meta = connector().read_table_metadata(table.name, {}) if needs_meta else {}
    keys = table.primary_key or tuple(meta.get("primary_keys") or [schema.fields[0].name])
    cursor = table.cursor_field or meta.get("cursor_field")
    if (table.since_param or table.deletes) and not cursor:
        raise InputError(
            f"table `{table.name}` filters by `since_param` or has deletes but no cursor field",
            hint="set `cursor_field` for the table in the spec",
            code="bad-simulator-spec",
        )
    rows = _spec_data.generate(schema, table.name, table.count, keys, cursor)
    deleted = _deleted(table, schema, table.count, keys, cursor)
    return _TableData(table, rows, deleted, cursor, schema, keys, len(rows) + len(deleted))


def _column_type(schema: StructType | None, name: str | None) -> DataType | None:
    if schema is None or name is None:
        return None
    return next((f.dataType for f in schema.fields if f.name == name), None)


def _deleted(
    table: TableSpec,
    schema: StructType | None,
    after: int,
    keys: tuple[str, ...],
    cursor: str | None,
) -> list[dict[str, Any]]:
    spec = table.deletes
    if spec is None:
        return []
    field = spec.cursor_field or cursor or "deleted_at"
    kind = _column_type(schema, field) or _column_type(schema, cursor)
    return _spec_data.tombstones(
        schema, table.name, after, spec.records, keys or ("id",), field, kind, spec.flag_field
    )


def _after(rows: list[dict[str, Any]], field: str | None, since: Any) -> list[dict[str, Any]]:
    if since is None or field is None:
        return rows
    return [r for r in rows if compare_cursors(get_path(r, field), since) > 0]


def _encode(position: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"at": position}).encode()).decode()


def _decode(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(token.encode()))["at"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise _BadRequest(f"invalid page token `{token[:20]}`") from None


def _int(query: dict[str, str], name: str | None, default: int) -> int:
    if not name or name not in query:
        return default
    try:
        return int(query[name])
    except ValueError:
        raise _BadRequest(f"`{name}` must be a whole number, got `{query[name][:20]}`") from None


def _set_path(body: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        body = body.setdefault(part, {})
    body[parts[-1]] = value


def _page(
    pagination: Pagination,
    records_path: str | None,
    rows: list[dict[str, Any]],
    query: dict[str, str],
    next_url: Callable[[str, str], str],
) -> tuple[Any, dict[str, str]]:
    """The body and headers of the page the query asks for."""
    size = max(1, _int(query, pagination.limit_param, pagination.page_size))
    kind = pagination.type
    start = 0
    if kind == "cursor":
        start = _decode(query.get(pagination.cursor_param))
    elif kind == "offset":
        start = _int(query, pagination.offset_param, 0)
    elif kind == "page":
        start = (
            _int(query, pagination.page_param, pagination.start_page) - pagination.start_page
        ) * size
    elif kind in ("next_url_header", "link_header"):
        start = _decode(query.get(pagination.token_param))
    if pagination.ignores_params:
        start = 0
    page = rows if kind == "none" else rows[max(0, start) : max(0, start) + size]
    more = kind != "none" and start + size < len(rows)
    body: Any = page
    if records_path:
        body = {}
        _set_path(body, records_path, page)
    headers: dict[str, str] = {}
    if kind == "cursor" and isinstance(body, dict):
        _set_path(body, pagination.next_cursor_path, _encode(start + size) if more else None)
    elif kind == "page" and pagination.next_page_path and isinstance(body, dict):
        number = _int(query, pagination.page_param, pagination.start_page) + 1
        _set_path(body, pagination.next_page_path, number if more else None)
    elif kind == "next_url_header" and more:
        headers[pagination.header] = next_url(pagination.token_param, _encode(start + size))
    elif kind == "link_header" and more:
        link = next_url(pagination.token_param, _encode(start + size))
        headers["Link"] = f'<{link}>; rel="next"'
    return body, headers


class _Handler(BaseHTTPRequestHandler):
    server: SpecSimulator
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the second waits for a
    # delayed ACK (about 40 ms a request on loopback).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        # Quiet: request lines would carry query strings into test output.
        pass

    def _send(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        if isinstance(body, _Lines):
            data = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in body).encode()
            kind = "application/x-ndjson"
        else:
            data = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
            kind = "application/json"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: HTTPStatus, message: str) -> None:
        self._send(status, {"error": status.phrase, "message": message})

    def _dispatch(self, method: str) -> None:
        self.server.requests += 1
        # Read the body (POST reads send their parameters there) so the connection stays usable.
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            sent = json.loads(raw) if raw else {}
        except ValueError:
            sent = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        sim, spec = self.server, self.server.spec
        url = urlsplit(self.path)
        if not url.path.startswith(spec.base_path):
            self._error(HTTPStatus.NOT_FOUND, f"no route {url.path} (base path {spec.base_path})")
            return
        path = url.path[len(spec.base_path) :] or "/"
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        if isinstance(sent, dict):
            query = {**{str(k): str(v) for k, v in sent.items()}, **query}
        authorized = not spec.auth_header or self.headers.get(spec.auth_header)
        for endpoint in spec.endpoints:
            if endpoint.method == method and sim.fill(endpoint.path) == path:
                if not (authorized or endpoint.open):
                    break
                self._send(endpoint.status, endpoint.body, endpoint.headers)
                return
        if not authorized:
            self._error(HTTPStatus.UNAUTHORIZED, f"missing the `{spec.auth_header}` header")
            return
        try:
            answer = self._table(method, path, query, url.path)
        except _BadRequest as exc:
            self._error(HTTPStatus.BAD_REQUEST, str(exc))
            return
        if answer is None:
            self._error(
                HTTPStatus.NOT_FOUND,
                f"the simulator has no endpoint {method} {path}; add it to "
                f"{spec.path.name} (a table endpoint or an entry of `endpoints`)",
            )
            return
        self._send(*answer)

    def _table(
        self, method: str, path: str, query: dict[str, str], full_path: str
    ) -> tuple[int, Any, dict[str, str]] | None:
        sim = self.server

        def next_url(param: str, token: str) -> str:
            return f"{sim.origin}{full_path}?{urlencode({**query, param: token})}"

        shared = False
        for table in sim.spec.tables.values():
            feed = table.deletes.endpoint if table.deletes else None
            if path not in (sim.fill(table.endpoint), feed and sim.fill(feed)):
                continue
            if table.match_params and any(query.get(k) != v for k, v in table.match_params.items()):
                shared = True
                continue
            if method != table.method:
                return (
                    405,
                    {
                        "error": "Method Not Allowed",
                        "message": f"{path} is read with {table.method}"
                        + (" (the simulator is read-only)" if table.method == "GET" else ""),
                    },
                    {},
                )
            missing = [p for p in table.required_params if p not in query]
            if missing:
                raise _BadRequest(
                    f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} required"
                )
            data = sim.data.get(table.name)
            if data is None:
                return 503, {"error": "Unavailable", "message": "the simulator is starting"}, {}
            asks_deleted = table.deletes is not None and all(
                query.get(k) == v for k, v in table.deletes.params.items()
            )
            if feed and path == sim.fill(feed) and asks_deleted:
                deletes = table.deletes
                assert deletes is not None
                since = query.get(deletes.since_param) if deletes.since_param else None
                field = deletes.cursor_field or data.cursor
                rows = _after(data.deleted, field, since)
            else:
                since = query.get(table.since_param) if table.since_param else None
                if since is not None and table.since_prefix:
                    if not since.startswith(table.since_prefix):
                        raise _BadRequest(
                            f"`{table.since_param}` takes `{table.since_prefix}` before the "
                            f"cursor value; got `{since}`"
                        )
                    since = since[len(table.since_prefix) :]
                rows = _after(data.rows, data.cursor, since)
                # Inline tombstones are listed only to incremental reads, as Kinto does.
                if since is not None and table.deletes and table.deletes.flag_field:
                    rows = rows + _after(data.deleted, data.cursor, since)
            if table.format == "jsonl":
                return 200, _Lines(rows), {}
            body, headers = _page(table.pagination, table.records_path, rows, query, next_url)
            return 200, body, headers
        if shared:
            raise _BadRequest("the parameters select none of the tables served at this path")
        return None

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")


@contextlib.contextmanager
def serve_spec(spec: SimulatorSpec, config: Mapping[str, Any]) -> Iterator[SpecSimulator]:
    """Run the simulator in a background thread for the block (tables need ``prepare``)."""
    server = SpecSimulator(spec, config)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="spec-simulator",
        daemon=True,
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
