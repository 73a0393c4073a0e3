"""The example source: a small REST API served over HTTP on 127.0.0.1.

It is real HTTP (a ``ThreadingHTTPServer``), so connectors, suites and benchmarks
exercise sockets, JSON, auth and pagination as they would against a SaaS API, yet
it starts in milliseconds and keeps its data in memory.

Tables (see ``workspace/sources/example/example_api_doc.md`` for the contract):

========= ================= =========== =========== ===============================
table     ingestion type    key         cursor      write-back
========= ================= =========== =========== ===============================
products  snapshot          id          -           -
customers cdc               id          updated_at  POST (``city``/``country`` nest
                                                    under ``address``)
orders    cdc_with_deletes  id          updated_at  POST, DELETE (tombstone feed)
                                                    (also per customer: GET
                                                    ``customers/{id}/orders``)
events    append            event_id    seq         POST, DELETE (test clean-up)
========= ================= =========== =========== ===============================

Every list endpoint pages with ``limit`` and an opaque ``cursor``; the body is
``{"data": [...], "next_cursor": "..." | null}``. Auth is ``Authorization: Bearer KEY``.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import sys
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from operator import itemgetter
from typing import Any
from urllib.parse import parse_qs, urlsplit

_log = logging.getLogger(__name__)

DEFAULT_API_KEY = "example-key-0001"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
_EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)


class ExampleStore:
    """The API's data: four tables plus a logical clock that orders every change."""

    def __init__(self, *, seed_rows: int = 40) -> None:
        self.lock = threading.Lock()
        self.tick = 0
        self.products: dict[int, dict[str, Any]] = {}
        self.customers: dict[str, dict[str, Any]] = {}
        self.orders: dict[str, dict[str, Any]] = {}
        self.order_tombstones: dict[str, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self._products_sorted: list[dict[str, Any]] | None = None
        self._seed(seed_rows)

    def products_by_id(self) -> list[dict[str, Any]]:
        """The products sorted by id, sorted once: the API has no route that changes them."""
        if self._products_sorted is None or len(self._products_sorted) != len(self.products):
            self._products_sorted = sorted(self.products.values(), key=itemgetter("id"))
        return self._products_sorted

    def now(self) -> str:
        """Advance the clock: every change gets a distinct, increasing timestamp."""
        self.tick += 1
        return (_EPOCH + timedelta(seconds=self.tick)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _seed(self, n: int) -> None:
        for i in range(1, n + 1):
            self.products[i] = {
                "id": i,
                "name": f"Product {i}",
                "price": round(4.5 + i * 1.25, 2),
                "dimensions": {"width": float(i % 7 + 1), "height": float(i % 5 + 2)},
                "tags": ["sample", f"group-{i % 3}"],
            }
        for i in range(1, n + 1):
            self.add_customer(
                {
                    "id": f"c{i:04d}",
                    "name": f"Customer {i}",
                    "email": f"customer{i}@example.com",
                    "city": ["Lisbon", "Porto", "Braga"][i % 3],
                    "country": "PT",
                }
            )
        for i in range(1, 2 * n + 1):
            self.add_order(
                {
                    "id": f"o{i:05d}",
                    "customer_id": f"c{(i % n) + 1:04d}",
                    "amount": round(10 + i * 0.5, 2),
                    "status": ["open", "paid", "shipped"][i % 3],
                }
            )
        for i in range(1, 3 * n + 1):
            self.add_event({"event_id": f"e{i:05d}", "type": ["view", "click"][i % 2]})

    def add_customer(self, body: dict[str, Any]) -> dict[str, Any]:
        row = {
            "id": str(body["id"]),
            "name": str(body["name"]),
            "email": body.get("email"),
            "address": {"city": body.get("city"), "country": body.get("country")},
            "updated_at": self.now(),
        }
        self.customers[row["id"]] = row
        return row

    def add_order(self, body: dict[str, Any]) -> dict[str, Any]:
        row = {
            "id": str(body["id"]),
            "customer_id": str(body["customer_id"]),
            "amount": float(body["amount"]),
            "status": str(body.get("status") or "open"),
            "updated_at": self.now(),
        }
        self.orders[row["id"]] = row
        self.order_tombstones.pop(row["id"], None)
        return row

    def delete_order(self, order_id: str) -> bool:
        if self.orders.pop(order_id, None) is None:
            return False
        self.order_tombstones[order_id] = {"id": order_id, "deleted_at": self.now()}
        return True

    def add_event(self, body: dict[str, Any]) -> dict[str, Any]:
        row = {
            "event_id": str(body["event_id"]),
            "seq": len(self.events) + 1,
            "type": str(body.get("type") or "custom"),
            "occurred_at": self.now(),
        }
        self.events.append(row)
        return row


class _BadRequest(Exception):
    pass


def _encode_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def _decode_cursor(token: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, json.JSONDecodeError):
        raise _BadRequest(f"invalid cursor {token[:20]!r}") from None


def _page(
    rows: list[dict[str, Any]],
    sort_key: str,
    query: dict[str, str],
    window: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """Cursor pagination over ``rows[start:stop]``, sorted by ``sort_key`` (unique, increasing).

    Positions are found by bisection and only the page is copied, so a page costs the same
    at the end of a large table as at its start (a benchmark times readers, not this API).
    """
    try:
        limit = min(int(query.get("limit", DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE)
    except ValueError:
        raise _BadRequest("limit must be an integer") from None
    if limit < 1:
        raise _BadRequest("limit must be at least 1")
    start, stop = window if window is not None else (0, len(rows))
    if "cursor" in query:
        after = _decode_cursor(query["cursor"])
        try:
            start = bisect_right(rows, after, lo=start, hi=stop, key=itemgetter(sort_key))
        except TypeError:
            raise _BadRequest(f"invalid cursor {query['cursor'][:20]!r}") from None
    page = rows[start : min(start + limit, stop)]
    more = start + limit < stop
    return {"data": page, "next_cursor": _encode_cursor(page[-1][sort_key]) if more else None}


def _key_window(
    rows: list[dict[str, Any]], key: str, low: int | None, high: int | None, *, inclusive: bool
) -> tuple[int, int]:
    """The slice of ``rows`` (sorted by ``key``) with ``low <=`` (or ``<``) key ``<= high``."""
    by_key = itemgetter(key)
    if low is None:
        start = 0
    elif inclusive:
        start = bisect_left(rows, low, key=by_key)
    else:
        start = bisect_right(rows, low, key=by_key)
    stop = len(rows) if high is None else bisect_right(rows, high, key=by_key)
    return start, max(start, stop)


class _Handler(BaseHTTPRequestHandler):
    server: ExampleServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without this, Nagle's algorithm and the
    # client's delayed ACK add ~40 ms to every keep-alive response.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        # Quiet by default: request lines would carry query strings into test output.
        pass

    # -------------------------------------------------------------- plumbing

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: HTTPStatus, message: str) -> None:
        self._send(status, {"error": status.phrase, "message": message})

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            raise _BadRequest("body is not valid JSON") from None
        if not isinstance(body, dict):
            raise _BadRequest("body must be a JSON object")
        return body

    def _authorised(self) -> bool:
        expected = f"Bearer {self.server.api_key}"
        if self.headers.get("Authorization") != expected:
            self._error(HTTPStatus.UNAUTHORIZED, "missing or invalid API key")
            return False
        return True

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        parts = [p for p in url.path.split("/") if p]
        if parts[:1] != ["v1"] or len(parts) < 2:
            self._error(HTTPStatus.NOT_FOUND, f"no route {url.path}")
            return
        if not self._authorised():
            return
        store = self.server.store
        try:
            with store.lock:
                status, body = _route(store, method, parts[1:], query, self)
        except _BadRequest as exc:
            self._error(HTTPStatus.BAD_REQUEST, str(exc))
            return
        except KeyError as exc:
            self._error(HTTPStatus.BAD_REQUEST, f"missing field {exc}")
            return
        except (TypeError, ValueError) as exc:
            self._error(HTTPStatus.BAD_REQUEST, f"invalid value: {exc}")
            return
        self._send(status, body)

    def do_GET(self) -> None:
        if self.server.latency_s:
            # A remote API's round trip, for benchmarks of parallel reads (not under the lock).
            time.sleep(self.server.latency_s)
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")


def _since(rows: list[dict[str, Any]], key: str, value: str | None) -> list[dict[str, Any]]:
    rows = sorted(rows, key=lambda r: r[key])
    if value is None:
        return rows
    return [r for r in rows if r[key] > value]


def _int_param(query: dict[str, str], name: str) -> int | None:
    if name not in query:
        return None
    try:
        return int(query[name])
    except ValueError:
        raise _BadRequest(f"{name} must be an integer") from None


def _bounds(values: list[int], what: str) -> dict[str, Any]:
    return {f"min_{what}": min(values, default=None), f"max_{what}": max(values, default=None),
            "count": len(values)}  # fmt: skip


def _route(
    store: ExampleStore, method: str, parts: list[str], query: dict[str, str], handler: _Handler
) -> tuple[int, Any]:
    table, rest = parts[0], parts[1:]
    if method == "GET" and rest == ["bounds"]:
        # The key range of a table, so a reader can split it into ranges read in parallel.
        if table == "products":
            return 200, _bounds(list(store.products), "id")
        if table == "events":
            return 200, _bounds([e["seq"] for e in store.events], "seq")
    if method == "GET" and not rest:
        if table == "products":
            low, high = _int_param(query, "id_from"), _int_param(query, "id_to")
            rows = store.products_by_id()
            window = _key_window(rows, "id", low, high, inclusive=True)
            return 200, _page(rows, "id", query, window)
        if table == "customers":
            rows = _since(list(store.customers.values()), "updated_at", query.get("since"))
            return 200, _page(rows, "updated_at", query)
        if table == "orders":
            rows = _since(list(store.orders.values()), "updated_at", query.get("since"))
            return 200, _page(rows, "updated_at", query)
        if table == "events":
            after = _int_param(query, "after_seq") or 0
            until = _int_param(query, "until_seq")
            # events is an append-only log, kept in seq order
            window = _key_window(store.events, "seq", after, until, inclusive=False)
            return 200, _page(store.events, "seq", query, window)
    if method == "GET" and table == "customers" and len(rest) == 2 and rest[1] == "orders":
        # A child collection: one customer's orders (one call per parent record).
        rows = sorted(
            (o for o in store.orders.values() if o["customer_id"] == rest[0]),
            key=lambda r: r["updated_at"],
        )
        return 200, _page(rows, "updated_at", query)
    if method == "GET" and table == "orders" and rest == ["deleted"]:
        rows = _since(list(store.order_tombstones.values()), "deleted_at", query.get("since"))
        return 200, _page(rows, "deleted_at", query)
    if method == "POST" and not rest:
        body = handler._body()
        adders = {"customers": store.add_customer, "orders": store.add_order}
        if table in adders:
            return 201, {"data": adders[table](body)}
        if table == "events":
            return 201, {"data": store.add_event(body)}
    if method == "DELETE" and len(rest) == 1:
        if table == "orders":
            found = store.delete_order(rest[0])
        elif table == "customers":
            found = store.customers.pop(rest[0], None) is not None
        elif table == "events":
            # Events are an immutable log for readers; this exists to remove test data.
            kept = [e for e in store.events if e["event_id"] != rest[0]]
            found = len(kept) != len(store.events)
            store.events[:] = kept
        else:
            found = False
        return (204, None) if found else (404, {"error": "Not Found", "message": rest[0]})
    return 404, {"error": "Not Found", "message": f"no route {method} /v1/{'/'.join(parts)}"}


class ExampleServer(ThreadingHTTPServer):
    """The example API bound to 127.0.0.1; ``url`` is its base URL."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        *,
        port: int = 0,
        api_key: str = DEFAULT_API_KEY,
        seed_rows: int = 40,
        latency_s: float = 0.0,
    ):
        self.api_key = api_key
        #: seconds every GET waits before it is answered (0: none)
        self.latency_s = latency_s
        self.store = ExampleStore(seed_rows=seed_rows)
        super().__init__(("127.0.0.1", port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-response (a test that stopped reading) is normal
        # here; anything else goes to the log rather than straight to stderr.
        exc = sys.exc_info()[1]
        if not isinstance(exc, ConnectionError):
            _log.warning("example API request failed", exc_info=True)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/v1"


@contextlib.contextmanager
def serve_example_api(
    *, port: int = 0, api_key: str = DEFAULT_API_KEY, seed_rows: int = 40, latency_s: float = 0.0
) -> Iterator[ExampleServer]:
    """Run the example API in a background thread for the duration of the block.

    ``latency_s`` delays every GET, as a remote API's round trip would (benchmarks).
    """
    server = ExampleServer(port=port, api_key=api_key, seed_rows=seed_rows, latency_s=latency_s)
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="example-api", daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextlib.contextmanager
def example_service(mode: str) -> Iterator[dict[str, Any]]:
    """The ``local_service`` hook for the example's test class: config for a fresh server."""
    with serve_example_api() as server:
        yield {"base_url": server.url, "api_key": server.api_key}
