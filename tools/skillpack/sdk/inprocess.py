"""Sources reached through a Python client instead of HTTP, driven like HTTP ones.

Some API docs describe a client object rather than a host: ``api = get_api(user, password)``,
then ``api.get("/tables", params=...)`` answering with an object that has ``status_code`` and
``json()``, as ``requests.Response`` does. :class:`InProcessSession` stands where
:class:`~skillpack.sdk.http.RestClient` keeps its ``requests.Session``, so such a source gets
the same retries (429, 5xx), error messages, secret masking and paginators as an HTTP one, and
the connector's read code is the same for both.
"""

from __future__ import annotations

import contextlib
import json as _json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import requests

from skillpack.errors import SourceError

#: the base URL a RestClient over an in-process client is given: no request leaves the process
IN_PROCESS_BASE_URL = "http://in-process.invalid/"


def _query(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Query values as HTTP would carry them: text, with unset ones left out."""
    out: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = str(value).lower()
        out[key] = [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value)
    return out


class InProcessSession:
    """A ``requests.Session`` look-alike that hands each request to an in-process client.

    ``client`` answers ``get(path, params=...)``, ``post(path, json=...)`` and the like with
    an object carrying ``status_code`` and ``json()``; the answer becomes a
    ``requests.Response`` whose body is that JSON.
    """

    def __init__(self, client: Any) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"InProcessSession({type(self._client).__name__})"

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        **_ignored: Any,  # headers, auth, timeout, stream: nothing travels
    ) -> requests.Response:
        path = urlsplit(url).path or "/"
        call = getattr(self._client, method.lower(), None)
        if not callable(call):
            raise SourceError(
                f"{method} {path}: the client `{type(self._client).__name__}` has no "
                f"`{method.lower()}` method",
                hint="call the client only with the methods its doc lists",
                code="bad-method",
            )
        kwargs: dict[str, Any] = {}
        query = _query(params)
        if query:
            kwargs["params"] = query
        if json is not None:
            kwargs["json"] = json
        answer = call(path, **kwargs)
        return self._response(method, url, query, answer)

    @staticmethod
    def _response(method: str, url: str, query: dict[str, Any], answer: Any) -> requests.Response:
        status = getattr(answer, "status_code", None)
        if not isinstance(status, int):
            raise SourceError(
                f"{method} {urlsplit(url).path}: the client answered a "
                f"`{type(answer).__name__}` with no whole-number `status_code`",
                hint="the client must answer like `requests.Response` (status_code, json())",
                code="bad-payload",
            )
        resp = requests.Response()
        resp.status_code = status
        body = answer.json() if callable(getattr(answer, "json", None)) else None
        resp._content = b"" if body is None else _json.dumps(body).encode("utf-8")
        resp.encoding = "utf-8"
        resp.headers["Content-Type"] = "application/json"
        resp.url = requests.Request(method, url, params=query).prepare().url or url
        with contextlib.suppress(ValueError):
            resp.reason = HTTPStatus(status).phrase
        return resp

    def close(self) -> None:
        """Nothing to release: the client belongs to whoever made it."""
