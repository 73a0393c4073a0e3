"""Throughput of the SDK's REST toolkit against the plain loops it replaces.

(a) In memory: a minimal connector's ``read_table`` built on ``RestClient.iter_records``
    + ``CursorPaginator`` + ``CursorTracker``, fed by a transport adapter that serves
    prebuilt pages from memory, against a plain Python loop doing the same work
    (decode each page, collect its records, track the largest cursor, follow the
    cursor). Goal: at least 0.5x the plain loop.
(b) Over HTTP: a local cursor-paginated API on 127.0.0.1 (100,000 records in pages
    of 1,000, pre-serialised) read with ``RestClient.iter_records`` against a plain
    ``requests.Session`` loop following the same pages. Goal: at least 0.8x.

Each side is warmed up, then run several times in this process; the best run counts.
Run it with ``python bench/bench_sdk.py``; ``run()`` returns the printed lines.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from skillpack.sdk.connector import LakeflowConnect
from skillpack.sdk.http import RestClient
from skillpack.sdk.offsets import CursorTracker, cursor_from_offset
from skillpack.sdk.pagination import CursorPaginator

TOTAL_RECORDS = 100_000
PAGE_SIZE = 1_000
RUNS = 5
MEMORY_GOAL = 0.5
HTTP_GOAL = 0.8


def _build_pages(total: int = TOTAL_RECORDS, size: int = PAGE_SIZE) -> dict[str, bytes]:
    """JSON pages keyed by the cursor that asks for them (``""`` for the first page)."""
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    pages: dict[str, bytes] = {}
    for number, first in enumerate(range(0, total, size)):
        records = [
            {
                "id": n,
                "name": f"item-{n}",
                "amount": n * 1.5,
                "active": n % 2 == 0,
                "updated_at": (start + timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            for n in range(first, min(first + size, total))
        ]
        nxt = str(number + 1) if first + size < total else None
        pages["" if number == 0 else str(number)] = json.dumps(
            {"data": records, "next_cursor": nxt}
        ).encode()
    return pages


def _cursor_of(url: str) -> str:
    values = parse_qs(urlsplit(url).query).get("cursor")
    return values[0] if values else ""


class _MemoryAdapter(BaseAdapter):
    """A transport that answers from prebuilt pages: the toolkit runs, the network does not."""

    def __init__(self, pages: dict[str, bytes]) -> None:
        super().__init__()
        self.pages = pages

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        resp = requests.Response()
        resp.status_code = 200
        resp.reason = "OK"
        resp._content = self.pages[_cursor_of(request.url or "")]
        resp.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
        resp.encoding = "utf-8"
        resp.url = request.url or ""
        resp.request = request
        return resp

    def close(self) -> None:
        """Nothing to release."""


class _BenchConnector(LakeflowConnect):
    """The smallest incremental connector written with the toolkit."""

    def __init__(self, options: dict[str, Any], session: requests.Session | None = None) -> None:
        super().__init__(options)
        self.client = RestClient(options["base_url"], session=session)

    def list_tables(self) -> list[str]:
        return ["items"]

    def get_table_schema(self, table_name: str, table_options: dict[str, Any]) -> Any:
        return None

    def read_table_metadata(self, table_name: str, table_options: dict[str, Any]) -> dict:
        return {"primary_keys": ["id"], "cursor_field": "updated_at", "ingestion_type": "cdc"}

    def read_table(
        self, table_name: str, start_offset: dict | None, table_options: dict[str, Any]
    ) -> tuple[Iterator[dict], dict]:
        since = cursor_from_offset(start_offset)
        tracker = CursorTracker(
            self.client.iter_records("/items", paginator=CursorPaginator()),
            "updated_at",
            after=since,
        )
        records = list(tracker)
        return iter(records), tracker.offset(start_offset)


def _plain_memory_loop(pages: dict[str, bytes]) -> tuple[list[dict], dict]:
    records: list[dict] = []
    best = None
    cursor = ""
    while cursor is not None:
        body = json.loads(pages[cursor])
        for record in body["data"]:
            value = record["updated_at"]
            if best is None or value > best:
                best = value
            records.append(record)
        cursor = body.get("next_cursor")
    return records, {"cursor": best}


def _plain_http_loop(base_url: str, session: requests.Session) -> list[dict]:
    records: list[dict] = []
    params: dict[str, str] | None = None
    while True:
        resp = session.get(base_url + "/items", params=params, timeout=30)
        resp.raise_for_status()
        body = resp.json()
        records.extend(body["data"])
        cursor = body.get("next_cursor")
        if not cursor:
            return records
        params = {"cursor": cursor}


def _best_rate(work: Callable[[], int], runs: int = RUNS) -> float:
    work()  # warm-up: imports, caches, connection pool
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        count = work()
        best = min(best, time.perf_counter() - started)
    if count != TOTAL_RECORDS:
        raise RuntimeError(f"bench read {count} records, expected {TOTAL_RECORDS}")
    return TOTAL_RECORDS / best


def _serve(pages: dict[str, bytes]) -> ThreadingHTTPServer:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real API would allow

        def do_GET(self) -> None:
            body = pages[_cursor_of(self.path)]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _line(label: str, sdk: float, plain: float, goal: float) -> list[str]:
    ratio = sdk / plain
    verdict = "ok" if ratio >= goal else "BELOW GOAL"
    return [
        f"{label}: sdk {sdk:,.0f} records/s, plain {plain:,.0f} records/s, "
        f"ratio {ratio:.2f}x (goal >= {goal}x: {verdict})"
    ]


def run() -> list[str]:
    """Run both comparisons and return the report lines."""
    pages = _build_pages()
    lines = [f"{TOTAL_RECORDS:,} records in pages of {PAGE_SIZE:,}; best of {RUNS} runs"]

    session = requests.Session()
    # every request to this (unresolvable) host is answered from memory
    session.mount("http://memory.invalid/", _MemoryAdapter(pages))
    connector = _BenchConnector({"base_url": "http://memory.invalid/api"}, session=session)

    def sdk_memory() -> int:
        records, offset = connector.read_table("items", None, {})
        assert offset["cursor"] is not None
        return len(list(records))

    def plain_memory() -> int:
        records, _offset = _plain_memory_loop(pages)
        return len(records)

    lines += _line("(a) in memory", _best_rate(sdk_memory), _best_rate(plain_memory), MEMORY_GOAL)

    server = _serve(pages)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with RestClient(base) as client, requests.Session() as plain_session:

            def sdk_http() -> int:
                pager = CursorPaginator()
                return len(list(client.iter_records("/items", paginator=pager)))

            def plain_http() -> int:
                return len(_plain_http_loop(base, plain_session))

            lines += _line("(b) over HTTP", _best_rate(sdk_http), _best_rate(plain_http), HTTP_GOAL)
    finally:
        server.shutdown()
        server.server_close()
    connector.client.close()
    session.close()
    return lines


if __name__ == "__main__":
    for line in run():
        print(line)
