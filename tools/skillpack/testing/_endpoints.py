"""The pack's reader of simulator specs in the ``endpoints.yaml`` + ``corpus/`` format.

Used for ``simulator_source = NAME`` classes when the checkout's own ``source_simulator``
is not importable (our standalone layout, CI). It answers ``requests`` calls in process, as
the checkout's simulator does, from ``specs/NAME/endpoints.yaml``::

    endpoints:
      - path: "/v1/items/{org}"          # {name} matches one path segment
        method: GET
        corpus: items                    # corpus/items.json: a JSON list of records
        response:
          wrapper: {records_key: data, extras: {ok: true}}   # else a bare JSON list
          single_entity: false           # true: the first matching record, unwrapped
        params:
          since:    {role: filter, field: updated_at, op: gte}   # eq, gt, gte, lt, lte
          page:     {role: page}                                 # 1-based page number
          per_page: {role: per_page, default: 30, max: 100}
          offset:   {role: offset}
          limit:    {role: limit, default: 50}

Other keys (pagination styles, synthesised records, sorting) are accepted and ignored: the
matching records are filtered, then cut to the requested page.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from skillpack.errors import ConfigError
from skillpack.layout import workspace_for_test_file
from skillpack.sdk.offsets import get_path

_OPS = {
    "eq": lambda a, b: str(a) == str(b),
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


@dataclass
class Endpoint:
    """One ``endpoints:`` entry, compiled."""

    pattern: re.Pattern[str]
    method: str
    records: list[dict[str, Any]]
    response: dict[str, Any]
    params: dict[str, dict[str, Any]] = field(default_factory=dict)

    def answer(self, query: dict[str, str]) -> Any:
        rows = [r for r in self.records if self._keeps(r, query)]
        if self.response.get("single_entity"):
            return rows[0] if rows else {}
        rows = self._page(rows, query)
        wrapper = self.response.get("wrapper")
        if not wrapper:
            return rows
        return {**wrapper.get("extras", {}), wrapper["records_key"]: rows}

    def _keeps(self, record: dict[str, Any], query: dict[str, str]) -> bool:
        for name, info in self.params.items():
            if info.get("role") != "filter" or name not in query:
                continue
            value = get_path(record, str(info.get("field", name)))
            compare = _OPS.get(str(info.get("op", "eq")), _OPS["eq"])
            if value is None or not _compare(compare, value, query[name]):
                return False
        return True

    def _role(self, role: str) -> tuple[str, dict[str, Any]] | None:
        for name, info in self.params.items():
            if info.get("role") == role:
                return name, info
        return None

    def _page(self, rows: list[dict[str, Any]], query: dict[str, str]) -> list[dict[str, Any]]:
        size_param = self._role("per_page") or self._role("limit")
        size = len(rows)
        if size_param:
            name, info = size_param
            size = int(query.get(name, info.get("default", size)) or size)
            if info.get("max"):
                size = min(size, int(info["max"]))
        start = 0
        if (page := self._role("page")) is not None:
            start = (int(query.get(page[0], 1) or 1) - 1) * size
        elif (offset := self._role("offset")) is not None:
            start = int(query.get(offset[0], 0) or 0)
        return rows[start : start + size]


def _compare(op: Any, value: Any, wanted: str) -> bool:
    """Compare a record value with a query string, as numbers when the value is one."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return bool(op(value, float(wanted)))
        except ValueError:
            return False
    return bool(op(str(value), wanted))


def _compile(path: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", path)
    body = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(rf"(?:.*){body}/?$")


def load_endpoints(spec_dir: Path) -> list[Endpoint]:
    """Endpoints of ``spec_dir/endpoints.yaml`` with their corpus loaded."""
    spec_file = spec_dir / "endpoints.yaml"
    try:
        data = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(
            f"simulator spec `{spec_file}` cannot be read: {exc}",
            hint="write endpoints.yaml with a top-level `endpoints:` list",
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("endpoints"), list):
        raise ConfigError(
            f"simulator spec `{spec_file}` has no `endpoints:` list",
            hint="start the file with `endpoints:` and one entry per path",
        )
    found = []
    for entry in data["endpoints"]:
        corpus = spec_dir / "corpus" / f"{entry.get('corpus', '')}.json"
        records = json.loads(corpus.read_text(encoding="utf-8")) if corpus.is_file() else []
        found.append(
            Endpoint(
                pattern=_compile(str(entry["path"])),
                method=str(entry.get("method", "GET")).upper(),
                records=records if isinstance(records, list) else [records],
                response=dict(entry.get("response") or {}),
                params={k: dict(v or {}) for k, v in (entry.get("params") or {}).items()},
            )
        )
    return found


def spec_dir_for(test_class: Any) -> Path | None:
    """``specs/NAME/`` for the class's ``simulator_source``, found through the layout."""
    paths = workspace_for_test_file(Path(inspect.getfile(test_class)))
    name = getattr(test_class, "simulator_source", None)
    if paths is None or not name:
        return None
    folder = paths.simulator_specs_root / name
    return folder if (folder / "endpoints.yaml").is_file() else None


@contextlib.contextmanager
def serve_endpoints(test_class: Any) -> Iterator[list[Endpoint]]:
    """Answer every ``requests`` call from the spec while the block runs."""
    import requests

    folder = spec_dir_for(test_class)
    if folder is None:
        yield []
        return
    endpoints = load_endpoints(folder)
    original = requests.Session.send

    def send(session: Any, request: Any, **kwargs: Any) -> Any:
        url = urlsplit(request.url)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        for ep in endpoints:
            if ep.method == request.method and ep.pattern.match(url.path):
                return _response(request, 200, ep.answer(query))
        return _response(request, 404, {"error": f"no simulated endpoint for {url.path}"})

    requests.Session.send = send
    try:
        yield endpoints
    finally:
        requests.Session.send = original


def _response(request: Any, status: int, body: Any) -> Any:
    import requests

    resp = requests.Response()
    resp.status_code = status
    resp._content = json.dumps(body).encode()
    resp.headers["Content-Type"] = "application/json"
    resp.url = request.url
    resp.request = request
    return resp
