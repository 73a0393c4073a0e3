"""``RestClient``: the HTTP loop connectors use instead of writing their own.

It adds what hand-rolled loops forget: a timeout on every wait and a deadline on
every attempt (a body sent one byte a second still stops at the deadline), retries
with exponential backoff and jitter (honouring ``Retry-After`` up to a cap) on
429/5xx, dropped connections and cut-short bodies, errors that say what to fix
(401/403 -> ``AuthError``, anything else -> ``SourceError`` with a stable
``code``) and never show a secret, and pagination::

    with RestClient("https://api.example.com/v2", auth=BearerAuth(token)) as client:
        for record in client.iter_records(
            "/contacts", paginator=CursorPaginator("paging.next"), records_path="results"
        ):
            ...

Relative paths join ``base_url`` (``"/contacts"`` and ``"contacts"`` alike);
absolute URLs, such as next-page links, are sent unchanged.

Requests are retried whatever their method: connectors mostly read, and their
POSTs are searches. Pass ``max_retries=0`` for calls that must not repeat.
"""

from __future__ import annotations

import contextlib
import json as _json
import logging
import math
import random
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any

import requests
from requests.auth import AuthBase

from skillpack.errors import ConfigError, SourceError
from skillpack.sdk._bodies import UNREADABLE, BodyTooLarge, decode_body, is_packed
from skillpack.sdk._http_errors import status_error, transfer_error
from skillpack.sdk._http_logging import LOG_FILTER, SENDING, install_log_filter
from skillpack.sdk._retry import check_timeout
from skillpack.sdk._retry import parse_retry_after as parse_retry_after
from skillpack.sdk._transfer import DeadlinePassed, Truncated, read_body
from skillpack.sdk.offsets import get_path
from skillpack.sdk.pagination import Paginator, RequestSpec
from skillpack.sdk.records import ONE_RECORD
from skillpack.sdk.redaction import (
    redact_mapping,
    redact_text,
    redact_url,
    request_secrets,
    url_secrets,
)

_log = logging.getLogger(__name__)

DEFAULT_RETRY_STATUSES = (429, 500, 502, 503, 504)
USER_AGENT = "connector-skillpack"
#: characters of a response body quoted in error messages
BODY_EXCERPT = 200
#: longest ``Retry-After`` honoured by default; a longer one ends the retries at once
MAX_RETRY_AFTER = 30.0

_ABSOLUTE = ("http://", "https://")
#: content types of JSON lines (one record per line)
_LINES_TYPES = ("ndjson", "jsonl", "json-seq", "jsonlines", "x-json-stream")
_MISSING = object()
_RETRYABLE_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)
_BAD_URL_ERRORS = (
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidURL,
)


class RestClient:
    """A small REST client with timeouts, retries, safe errors and pagination.

    ``sleep`` is called with each backoff delay; tests pass a recorder so they
    never wait. ``secrets`` are extra strings to mask in error messages (the
    auth helper's own secrets, a password in ``base_url`` and every secret-named
    parameter, body field and header a request sends are always masked, in their
    plain, URL-encoded, JSON-escaped and base64 forms).

    Time limits: ``timeout`` bounds each wait (connect, then each read);
    ``read_deadline`` bounds one attempt from sending to the body's last byte
    (default: connect + read timeout); ``deadline`` bounds a whole call, retries
    and waits included (default: none); a ``Retry-After`` above ``max_retry_after``
    is not waited for.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: AuthBase | None = None,
        timeout: float | tuple[float, float] = 30.0,
        max_retries: int = 5,
        backoff_factor: float = 0.5,
        max_backoff: float = 60.0,
        headers: Mapping[str, str] | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], Any] = time.sleep,
        retry_statuses: Collection[int] = DEFAULT_RETRY_STATUSES,
        secrets: Iterable[str] = (),
        read_deadline: float | None = None,
        deadline: float | None = None,
        max_retry_after: float = MAX_RETRY_AFTER,
    ) -> None:
        if not isinstance(base_url, str) or not base_url.startswith(_ABSOLUTE):
            raise ConfigError(
                f"invalid base_url `{redact_url(str(base_url))}`",
                hint="use an absolute http:// or https:// URL, e.g. `https://api.example.com/v1`",
                code="bad-url",
            )
        if max_retries < 0:
            raise ConfigError(f"`max_retries` must be 0 or more, got `{max_retries}`", hint="try 5")
        self.base_url = base_url.rstrip("/") + "/"
        self.auth = auth
        self.timeout = check_timeout(timeout)
        self.max_retries = max_retries
        self.backoff_factor = backoff_factor
        self.max_backoff = max_backoff
        self.retry_statuses = frozenset(retry_statuses)
        self.headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})}
        self._session = session if session is not None else requests.Session()
        self._owns_session = session is None
        self._sleep = sleep
        self._secrets = frozenset(s for s in secrets if s) | frozenset(url_secrets(base_url))
        parts = self.timeout if isinstance(self.timeout, tuple) else (self.timeout,) * 2
        self._read_timeout = float(parts[-1])
        self.read_deadline = float(
            check_timeout(read_deadline) if read_deadline is not None else sum(parts)
        )
        self.deadline = None if deadline is None else float(check_timeout(deadline))
        if not (isinstance(max_retry_after, (int, float)) and 0 <= max_retry_after < math.inf):
            raise ConfigError(
                f"invalid max_retry_after `{max_retry_after!r}`", hint="use seconds, e.g. 30"
            )
        self.max_retry_after = float(max_retry_after)
        install_log_filter()
        LOG_FILTER.add(*self._all_secrets())

    def __repr__(self) -> str:
        return f"RestClient({redact_url(self.base_url)!r}, auth={self.auth!r})"

    def __enter__(self) -> RestClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the session if this client created it."""
        if self._owns_session:
            self._session.close()

    def url_for(self, path_or_url: str) -> str:
        """The absolute URL for a path relative to ``base_url`` (absolute URLs pass through)."""
        if path_or_url.startswith(_ABSOLUTE):
            return path_or_url
        return self.base_url + path_or_url.lstrip("/")

    # -- requests ---------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send one request, retrying as configured; return a response with status < 400.

        Raises ``AuthError`` on 401/403 and ``SourceError`` on any other error
        status, on timeouts and on connection failures once retries run out.
        """
        url = self.url_for(path_or_url)
        sent_headers = self.headers if headers is None else {**self.headers, **headers}
        secrets = self._all_secrets() | request_secrets(
            url=url, params=params, json_body=json, data=data, headers=sent_headers
        )
        token = SENDING.set(frozenset(secrets))
        try:
            return self._request(method, url, params, json, data, sent_headers, secrets)
        finally:
            SENDING.reset(token)

    def _request(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        json: Any,
        data: Any,
        sent_headers: Mapping[str, str],
        secrets: frozenset[str],
    ) -> requests.Response:
        call_ends = None if self.deadline is None else time.monotonic() + self.deadline
        attempt = 0
        waited = 0.0
        while True:
            ends = time.monotonic() + self.read_deadline
            ends = ends if call_ends is None else min(ends, call_ends)
            try:
                resp = self._attempt(method, url, ends, params, json, data, sent_headers)
            except requests.exceptions.SSLError:
                raise SourceError(
                    f"{method} {self._safe(url, secrets)} failed the TLS handshake",
                    hint="check the host name and certificate of base_url "
                    "(a proxy that rewrites TLS needs REQUESTS_CA_BUNDLE)",
                    code="tls",
                ) from None
            except DeadlinePassed as exc:
                whole_call = call_ends is not None and ends == call_ends
                raise self._deadline_error(
                    method, url, secrets, exc.got, attempt + 1, whole_call
                ) from None
            except (*_RETRYABLE_ERRORS, Truncated) as exc:
                if attempt >= self.max_retries:
                    raise self._unreachable(method, url, exc, attempt + 1, secrets) from None
                delay = self._backoff(attempt)
                reason = exc.describe() if isinstance(exc, Truncated) else type(exc).__name__
            except _BAD_URL_ERRORS as exc:
                raise ConfigError(
                    f"{method} {self._safe(url, secrets)}: invalid URL ({type(exc).__name__})",
                    hint="check base_url and the path passed to the client",
                    code="bad-url",
                ) from None
            except requests.RequestException as exc:
                raise SourceError(
                    f"{method} {self._safe(url, secrets)} failed ({type(exc).__name__})",
                    hint="retry; if it persists, report it with the request that failed",
                    code="request-failed",
                ) from None
            else:
                resp.skillpack_secrets = secrets  # type: ignore[attr-defined]
                status = resp.status_code
                if status < 400:
                    if _log.isEnabledFor(logging.DEBUG):
                        _log.debug("%s %s -> %d", method, self._safe(resp.url, secrets), status)
                    return resp
                if status not in self.retry_statuses or attempt >= self.max_retries:
                    raise self._error(method, resp, attempt + 1, secrets, waited)
                told = parse_retry_after(resp.headers.get("Retry-After"))
                if told is not None and told > self.max_retry_after:
                    raise self._error(
                        method, resp, attempt + 1, secrets, waited,
                        note=f"the source asked to wait {told:.0f}s (Retry-After), more than "
                        f"max_retry_after ({self.max_retry_after:g}s), so it was not retried",
                    )  # fmt: skip
                delay = self._backoff(attempt) if told is None else min(told, self.max_backoff)
                reason = f"HTTP {status}" + (" (Retry-After)" if told is not None else "")
                resp.close()
            if call_ends is not None and time.monotonic() + delay > call_ends:
                raise SourceError(
                    f"{method} {self._safe(url, secrets)}: {reason}; a retry in {delay:.1f}s "
                    f"would pass the {self.deadline:g}s deadline (attempt {attempt + 1})",
                    hint="raise the client's `deadline`, or retry later",
                    code="deadline",
                )
            attempt += 1
            _log.info(
                "%s %s: %s; retry %d/%d in %.2fs",
                method,
                self._safe(url, secrets),
                reason,
                attempt,
                self.max_retries,
                delay,
            )
            waited += delay
            self._sleep(delay)

    def _attempt(
        self,
        method: str,
        url: str,
        ends: float,
        params: Mapping[str, Any] | None,
        json: Any,
        data: Any,
        headers: Mapping[str, str],
    ) -> requests.Response:
        """One request whose body is read in full (an error body: its start) before ``ends``."""
        left = ends - time.monotonic()
        if left <= 0:
            raise DeadlinePassed(0)
        connect = self.timeout[0] if isinstance(self.timeout, tuple) else self.timeout
        resp = self._session.request(
            method,
            url,
            params=params,
            json=json,
            data=data,
            headers=headers,
            auth=self.auth,
            timeout=(min(connect, left), min(self._read_timeout, left)),
            stream=True,
        )
        try:
            limit = None if resp.status_code < 400 else BODY_EXCERPT * 20
            body = read_body(resp, deadline_at=ends, read_timeout=self._read_timeout, limit=limit)
        except BaseException:
            resp.close()
            raise
        resp._content = body
        resp._content_consumed = True
        if limit is not None:
            resp.close()
        return resp

    def get(self, path_or_url: str, **kwargs: Any) -> requests.Response:
        """``request("GET", ...)``."""
        return self.request("GET", path_or_url, **kwargs)

    def post(self, path_or_url: str, **kwargs: Any) -> requests.Response:
        """``request("POST", ...)``."""
        return self.request("POST", path_or_url, **kwargs)

    def put(self, path_or_url: str, **kwargs: Any) -> requests.Response:
        """``request("PUT", ...)``."""
        return self.request("PUT", path_or_url, **kwargs)

    def patch(self, path_or_url: str, **kwargs: Any) -> requests.Response:
        """``request("PATCH", ...)``."""
        return self.request("PATCH", path_or_url, **kwargs)

    def delete(self, path_or_url: str, **kwargs: Any) -> requests.Response:
        """``request("DELETE", ...)``."""
        return self.request("DELETE", path_or_url, **kwargs)

    def get_json(self, path_or_url: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET and decode the JSON body (``None`` for an empty body)."""
        return self.decode_json(self.request("GET", path_or_url, params=params), "GET")

    def decode_json(self, resp: requests.Response, method: str = "GET") -> Any:
        """The JSON body of ``resp``; ``SourceError`` (code ``bad-json``) if it is not JSON.

        Export endpoints' forms are read too: JSON lines come back as a list of records,
        gzipped or in a ZIP archive alike (see ``_bodies``).
        """
        content = resp.content
        if not content:
            return None
        try:
            return _json.loads(content)
        except ValueError:
            pass
        try:
            return decode_body(content)
        except BodyTooLarge as exc:
            where = f"{method} {self._safe(resp.url, self._secrets_of(resp))}"
            raise SourceError(
                f"{where}: {exc}",
                hint="ask the API for a smaller window or page of records",
                code="body-too-large",
                status=resp.status_code,
            ) from None
        except UNREADABLE:
            where = f"{method} {self._safe(resp.url, self._secrets_of(resp))}"
            raise SourceError(
                f"{where} did not return JSON: {self._excerpt(resp)}",
                hint="check the path and that the endpoint answers JSON (an HTML page often "
                "means a login redirect or a wrong base_url)",
                code="bad-json",
                status=resp.status_code,
            ) from None

    # -- pagination -------------------------------------------------------------------------

    def paginate(
        self,
        path: str,
        *,
        paginator: Paginator,
        params: Mapping[str, Any] | None = None,
        records_path: str | None = "data",
        method: str = "GET",
        json: Any = None,
    ) -> Iterator[list[dict]]:
        """Yield each page's records, following ``paginator`` until it stops.

        ``records_path`` is a dotted path to the list in the JSON body (``None``
        when the body is the list itself, ``ONE_RECORD`` when it is the one record).
        Every page is yielded, even an empty one, except a page repeating the previous
        page's records (``pagination-loop``).
        """
        spec: RequestSpec | None = paginator.start(
            RequestSpec(path, dict(params) if params else None, json)
        )
        while spec is not None:
            resp = self.request(method, spec.url, params=spec.params, json=spec.json)
            body = self.decode_json(resp, method)
            records = self._records(body, records_path, resp, method)
            paginator.check_page(records)
            yield records
            spec = paginator.advance(resp, body, records)

    def iter_records(
        self,
        path: str,
        *,
        paginator: Paginator,
        params: Mapping[str, Any] | None = None,
        records_path: str | None = "data",
        method: str = "GET",
        json: Any = None,
    ) -> Iterator[dict]:
        """Like :meth:`paginate`, one record at a time."""
        for page in self.paginate(
            path,
            paginator=paginator,
            params=params,
            records_path=records_path,
            method=method,
            json=json,
        ):
            yield from page

    # -- helpers ----------------------------------------------------------------------------

    def _records(
        self, body: Any, records_path: str | None, resp: requests.Response, method: str
    ) -> list:
        if records_path == ONE_RECORD:
            if body is None or isinstance(body, Mapping):
                return [] if body is None else [body]
            where = f"{method} {self._safe(resp.url, self._secrets_of(resp))}"
            raise SourceError(
                f"{where}: the body is a JSON {type(body).__name__}, not the one record "
                "the endpoint answered before",
                hint="point records_path at the list of records",
                code="bad-payload",
            )
        found = body if records_path is None else get_path(body, records_path, _MISSING)
        if isinstance(found, list):
            return found
        if records_path is None and isinstance(found, Mapping) and _one_line_export(resp):
            # JSON lines holding a single record read as one JSON document
            return [found]
        if found is None:
            return []
        where = f"{method} {self._safe(resp.url, self._secrets_of(resp))}"
        if found is _MISSING:
            keys = ", ".join(f"`{k}`" for k in list(body)[:20]) if isinstance(body, dict) else ""
            shape = f"top-level keys {keys}" if keys else f"a JSON {type(body).__name__}"
            raise SourceError(
                f"{where}: no `{records_path}` in the response ({shape})",
                hint="set records_path to the key holding the records (dotted for nested keys, "
                "None when the body itself is the list)",
                code="bad-payload",
            )
        raise SourceError(
            f"{where}: `{records_path or 'the body'}` is a {type(found).__name__}, not a list",
            hint="point records_path at the list of records",
            code="bad-payload",
        )

    def _all_secrets(self) -> frozenset[str]:
        own = getattr(self.auth, "secret_values", None)
        return self._secrets | frozenset(own()) if callable(own) else self._secrets

    def _safe(self, url: str, secrets: frozenset[str] | set[str] | None = None) -> str:
        return redact_text(redact_url(url), self._all_secrets() if secrets is None else secrets)

    def _secrets_of(self, resp: requests.Response) -> set[str] | frozenset[str]:
        return getattr(resp, "skillpack_secrets", None) or self._all_secrets()

    def _deadline_error(
        self, method: str, url: str, secrets: set[str], got: int, attempts: int, whole_call: bool
    ) -> SourceError:
        limit, name = (
            (self.deadline, "deadline") if whole_call else (self.read_deadline, "read_deadline")
        )
        return SourceError(
            f"{method} {self._safe(url, secrets)} did not finish within its {limit:g}s "
            f"deadline ({got} bytes of the body had arrived; attempt {attempts})",
            hint="the source is sending very slowly: retry later, or raise the client's "
            f"`{name}` if the responses are that large",
            code="deadline",
        )

    def _excerpt(self, resp: requests.Response) -> str:
        raw = resp.content[: BODY_EXCERPT * 20]
        text = raw.decode(resp.encoding or "utf-8", errors="replace")
        with contextlib.suppress(ValueError):
            # a JSON error body may echo secret fields: mask them by name first
            text = _json.dumps(redact_mapping(_json.loads(text)), ensure_ascii=False)
        text = " ".join(redact_text(text, self._secrets_of(resp)).split())
        return text[:BODY_EXCERPT] + ("..." if len(text) > BODY_EXCERPT else "")

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.max_backoff, self.backoff_factor * (2**attempt))
        # "equal jitter": at least half the delay, so retries still spread out
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def _unreachable(
        self, method: str, url: str, exc: Exception, attempts: int, secrets: set[str]
    ) -> SourceError:
        return transfer_error(f"{method} {self._safe(url, secrets)}", exc, attempts, self.timeout)

    def _error(
        self,
        method: str,
        resp: requests.Response,
        attempts: int,
        secrets: set[str] | None = None,
        waited: float = 0.0,
        note: str = "",
    ) -> Exception:
        where = f"{method} {self._safe(resp.url, secrets)}"
        head = f"{where} answered {resp.status_code} {resp.reason or ''}".rstrip()
        excerpt = self._excerpt(resp)
        message = f"{head}: {excerpt}" if excerpt else head
        if note:
            message += f"; {note}"
        if waited:
            message += f" (waited {waited:.1f}s between attempts)"
        return status_error(message, resp.status_code, attempts)


def _one_line_export(resp: requests.Response) -> bool:
    """Whether a body read as one JSON object is an export of JSON lines holding one record:
    it came packed (gzip, ZIP) or its content type says JSON lines."""
    kind = resp.headers.get("Content-Type", "").lower()
    return is_packed(resp.content) or any(t in kind for t in _LINES_TYPES)
