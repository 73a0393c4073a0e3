"""Pagination strategies for :meth:`skillpack.sdk.http.RestClient.paginate`.

A paginator turns "the request I just made and what came back" into the next
request, or ``None`` when the walk is over::

    client.paginate("/items", paginator=CursorPaginator("meta.next"), records_path="items")

Each paginator walks one listing at a time: :meth:`Paginator.start` resets it,
so an instance can be reused for successive walks but not shared by two at
once. The base class guards every walk against servers that never let it end
(``SourceError`` code ``pagination-loop``): the same next request handed out
twice, or a page whose records repeat the previous page's (a server ignoring the
paging parameter answers every page alike, so request fingerprints alone never
repeat). Every walk stops on an empty page, and it stops quietly after
``max_pages`` pages when that is set. Page-number paging with no total to stop
at gives up after ``page_cap`` pages (default :data:`DEFAULT_PAGE_CAP`) with a
``pagination-loop`` error rather than walking forever.

Write a new strategy by subclassing :class:`Paginator` and implementing
:meth:`Paginator.next` (and :meth:`Paginator.first` if the first request needs
extra parameters).
"""

from __future__ import annotations

import hashlib
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urljoin

import requests
from requests.utils import parse_header_links

from skillpack.errors import ConfigError, SourceError, known_values
from skillpack.sdk.offsets import get_path
from skillpack.sdk.redaction import redact_url

_log = logging.getLogger(__name__)

#: a field a body does not have (a null one is an answer)
_MISSING = object()
#: pages a page-number walk with no total reads before it calls the walk a loop
DEFAULT_PAGE_CAP = 1000


def _page_fingerprint(records: list) -> str | None:
    """A digest of a page's size and its first and last records; ``None`` for an empty page.

    A server that ignores the paging parameter repeats the whole page, so its ends repeat
    too; two real pages in a row never share both ends. Digesting the ends rather than every
    record keeps the check's cost flat (encoding whole pages cost a fifth of a read's time),
    and taking it before the page is handed out keeps it from seeing a caller's edits.
    """
    if not records:
        return None
    ends = [len(records), records[0], records[-1]]
    text = json.dumps(ends, sort_keys=True, default=repr, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class RequestSpec:
    """One page request: a path or absolute URL, its query parameters and JSON body."""

    url: str
    params: Mapping[str, Any] | None = None
    json: Any = None

    def with_params(self, **changes: Any) -> RequestSpec:
        """A copy with ``changes`` merged into the query parameters."""
        return replace(self, params={**(self.params or {}), **changes})

    def with_json(self, **changes: Any) -> RequestSpec:
        """A copy with ``changes`` merged into the JSON body (which must be an object)."""
        return replace(self, json={**(self.json or {}), **changes})

    def fingerprint(self) -> Hashable:
        """A hashable identity used to notice a server repeating a page."""
        params = tuple(sorted((str(k), repr(v)) for k, v in (self.params or {}).items()))
        body = repr(sorted(self.json.items())) if isinstance(self.json, dict) else repr(self.json)
        return (self.url, params, body)


class Paginator(ABC):
    """Base of all strategies: loop detection and an optional page limit."""

    def __init__(self, *, max_pages: int | None = None) -> None:
        if max_pages is not None and max_pages < 1:
            raise ConfigError(
                f"`max_pages` must be at least 1, got `{max_pages}`",
                hint="leave it unset (None) to read every page",
            )
        self.max_pages = max_pages
        self.pages = 0
        self.current: RequestSpec | None = None
        self._seen: set[Hashable] = set()
        self._last_page: str | None = None
        self._checked = 0

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self._settings().items())
        return f"{type(self).__name__}({fields})"

    def _settings(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if not k.startswith("_") and k != "current"}

    def start(self, request: RequestSpec) -> RequestSpec:
        """Reset the walk and return the first request (``request`` plus any first-page params)."""
        self.pages = 0
        self._seen = set()
        self._last_page = None
        self._checked = 0
        first = self.first(request)
        self.current = first
        self._seen.add(first.fingerprint())
        return first

    def check_page(self, records: list) -> None:
        """Raise ``pagination-loop`` when ``records`` repeat the previous page's records.

        :meth:`RestClient.paginate` calls it before handing a page out, so a repeated page
        is never yielded; :meth:`advance` calls it too when nobody did.
        """
        self._checked = self.pages + 1
        mark = _page_fingerprint(records)
        if mark is not None and mark == self._last_page:
            where = redact_url(self.current.url) if self.current is not None else "the endpoint"
            raise SourceError(
                f"pagination loop: page {self.pages + 1} of {where} holds the same "
                f"{len(records)} records as the page before it",
                hint="the server ignores the paging parameter: check its name and where it "
                f"goes ({type(self).__name__} sends {self._paging_hint()}), or page another way",
                code="pagination-loop",
            )
        self._last_page = mark

    def _paging_hint(self) -> str:
        """What this strategy sends to ask for the next page (for error hints)."""
        return "what the last response pointed at"

    def advance(self, response: requests.Response, body: Any, records: list) -> RequestSpec | None:
        """The request for the page after the one just read, or ``None`` at the end."""
        if self._checked != self.pages + 1:
            self.check_page(records)
        self.pages += 1
        if self.max_pages is not None and self.pages >= self.max_pages:
            _log.debug("stopping after max_pages=%d", self.max_pages)
            return None
        if not records:
            # an empty page ends every walk, whatever cursor or link came with it
            return None
        nxt = self.next(response, body, records)
        if nxt is None:
            return None
        mark = nxt.fingerprint()
        if mark in self._seen:
            raise SourceError(
                f"pagination loop: the server asked for a page already read "
                f"({redact_url(nxt.url)}) after {self.pages} pages",
                hint=f"check that {type(self).__name__} reads the right field or header for "
                "the next page, and that the request actually sends it (parameter name)",
                code="pagination-loop",
            )
        self._seen.add(mark)
        self.current = nxt
        return nxt

    def first(self, request: RequestSpec) -> RequestSpec:
        """The first page request; the default sends ``request`` unchanged."""
        return request

    @abstractmethod
    def next(self, response: requests.Response, body: Any, records: list) -> RequestSpec | None:
        """Build the next request from the last response, or return ``None`` to stop.

        ``self.current`` is the request that produced ``response``.
        """


def _follow(response: requests.Response, link: Any) -> RequestSpec | None:
    """A request for next-page ``link``, resolved against the URL that produced it."""
    if not link or not isinstance(link, str):
        return None
    # the link carries its own query string, so the first page's params are not re-sent
    return RequestSpec(urljoin(response.url, link))


class SinglePage(Paginator):
    """The endpoint returns everything in one response."""

    def next(self, response: requests.Response, body: Any, records: list) -> RequestSpec | None:
        """Never a second page."""
        return None


class CursorPaginator(Paginator):
    """An opaque cursor in the body (``next_cursor``) is sent back as ``cursor_param``.

    Stops when the cursor is missing or empty, or when ``has_more_path`` is set
    and false. ``cursor_location="json"`` puts the cursor in the JSON body (for
    POST search endpoints) instead of the query string.
    """

    def __init__(
        self,
        cursor_path: str = "next_cursor",
        cursor_param: str = "cursor",
        *,
        has_more_path: str | None = None,
        cursor_location: str = "params",
        max_pages: int | None = None,
    ) -> None:
        super().__init__(max_pages=max_pages)
        if cursor_location not in ("params", "json"):
            raise ConfigError(
                known_values("cursor_location", cursor_location, ("params", "json")),
                hint="`params` sends the cursor in the query string, `json` in the request body",
            )
        self.cursor_path = cursor_path
        self.cursor_param = cursor_param
        self.has_more_path = has_more_path
        self.cursor_location = cursor_location
        #: the last cursor the server handed out (``None`` before the first page)
        self.cursor: Any = None

    def first(self, request: RequestSpec) -> RequestSpec:
        """The first request, unchanged; the cursor from a previous walk is forgotten."""
        self.cursor = None
        return request

    def next(self, response: requests.Response, body: Any, records: list) -> RequestSpec | None:
        """Send the body's cursor back, unless the server says there is no more."""
        if self.has_more_path is not None and not get_path(body, self.has_more_path):
            return None
        cursor = get_path(body, self.cursor_path)
        if cursor is None or cursor == "":
            return None
        self.cursor = cursor
        assert self.current is not None
        if self.cursor_location == "json":
            return self.current.with_json(**{self.cursor_param: cursor})
        return self.current.with_params(**{self.cursor_param: cursor})


class PageNumberPaginator(Paginator):
    """``?page=1,2,3...``; stops on an empty page, a short page or after ``total_pages_path`` pages.

    ``next_page_path`` names a body field saying what follows (``"next_page": 3``, or null on
    the last page; ``"has_more": true``): when a page carries it, it alone decides, since a
    server may send fewer records than asked for and still have more. Otherwise a short
    page (fewer than ``page_size`` records) ends the walk, but only when the page size is
    sent (``page_size_param``), since only then is it known. With neither a total nor a
    next-page field the walk raises ``pagination-loop`` after ``page_cap`` pages: raise the
    cap for a listing known to be longer, or pass ``None``.
    """

    def __init__(
        self,
        page_param: str = "page",
        start: int = 1,
        page_size_param: str | None = None,
        page_size: int | None = None,
        total_pages_path: str | None = None,
        *,
        max_pages: int | None = None,
        page_cap: int | None = DEFAULT_PAGE_CAP,
        next_page_path: str | None = None,
    ) -> None:
        super().__init__(max_pages=max_pages)
        if page_cap is not None and page_cap < 1:
            raise ConfigError(
                f"`page_cap` must be at least 1, got `{page_cap}`",
                hint=f"leave the default ({DEFAULT_PAGE_CAP}) or pass None for no cap",
            )
        self.page_cap = page_cap
        self.page_param = page_param
        self.start_page = start
        self.page_size_param = page_size_param
        self.page_size = page_size
        self.total_pages_path = total_pages_path
        self.next_page_path = next_page_path
        self.page = start

    def first(self, request: RequestSpec) -> RequestSpec:
        """Ask for the start page (and the page size, when configured)."""
        self.page = self.start_page
        extra: dict[str, Any] = {self.page_param: self.page}
        if self.page_size_param and self.page_size is not None:
            extra[self.page_size_param] = self.page_size
        return request.with_params(**extra)

    def _paging_hint(self) -> str:
        return f"`{self.page_param}` in the query string"

    def next(self, response: requests.Response, body: Any, records: list) -> RequestSpec | None:
        """The following page number, unless this page was empty, short or the last one."""
        if not records:
            return None
        said = _MISSING
        if self.next_page_path is not None:
            said = get_path(body, self.next_page_path, _MISSING)
        if said is not _MISSING:
            return self._told(said)
        if self.page_size_param and self.page_size is not None and len(records) < self.page_size:
            return None
        total = None
        if self.total_pages_path is not None:
            total = get_path(body, self.total_pages_path)
            # page numbers may start at 0 or 1; count the pages read instead
            if total is not None and self.page - self.start_page + 1 >= int(total):
                return None
        if total is None and self.page_cap is not None and self.pages >= self.page_cap:
            raise SourceError(
                f"pagination loop: {self.pages} pages read and the server never signalled "
                f"the end (no empty page, short page or total pages)",
                hint=f"check that the server honours `{self.page_param}`; set "
                "total_pages_path or page_size_param so the walk can end, or raise page_cap "
                "for a listing known to be longer",
                code="pagination-loop",
            )
        self.page += 1
        assert self.current is not None
        return self.current.with_params(**{self.page_param: self.page})

    def _told(self, said: Any) -> RequestSpec | None:
        """The page the body's next-page field names: a number, true for the next, else none."""
        if said is None or said is False or said == "":
            return None
        if said is True:
            number = self.page + 1
        else:
            try:
                number = int(said)
            except (TypeError, ValueError):
                raise SourceError(
                    f"`{self.next_page_path}` holds `{said!r}`, not a page number",
                    hint="point next_page_path at the field holding the next page's number "
                    "(or a true/false 'more' flag)",
                    code="bad-payload",
                ) from None
        if number <= self.page:
            raise SourceError(
                f"pagination loop: page {self.page} names page {number} as the next one",
                hint=f"check that the server honours `{self.page_param}`",
                code="pagination-loop",
            )
        self.page = number
        assert self.current is not None
        return self.current.with_params(**{self.page_param: self.page})


class OffsetPaginator(Paginator):
    """``?offset=0&limit=100``; stops once ``total_path`` records are read, else on a short page.

    The offset moves by the number of records actually returned, so a server
    that silently caps ``limit`` never makes the walk skip records. Without a
    total, such a cap looks like a short page and ends the walk early: keep
    ``limit`` at or below the server's maximum, or set ``total_path``.
    """

    def __init__(
        self,
        offset_param: str = "offset",
        limit_param: str = "limit",
        limit: int = 100,
        total_path: str | None = None,
        *,
        start: int = 0,
        max_pages: int | None = None,
    ) -> None:
        super().__init__(max_pages=max_pages)
        if limit < 1:
            raise ConfigError(f"`limit` must be at least 1, got `{limit}`", hint="try 100")
        self.offset_param = offset_param
        self.limit_param = limit_param
        self.limit = limit
        self.total_path = total_path
        self.start_offset = start
        self.offset = start

    def first(self, request: RequestSpec) -> RequestSpec:
        """Ask for the first ``limit`` records."""
        self.offset = self.start_offset
        return request.with_params(**{self.offset_param: self.offset, self.limit_param: self.limit})

    def next(self, response: requests.Response, body: Any, records: list) -> RequestSpec | None:
        """The following window, unless this page was short or the total is reached."""
        if not records:
            return None
        total = get_path(body, self.total_path) if self.total_path is not None else None
        if total is None and len(records) < self.limit:
            return None
        self.offset += len(records)
        if total is not None and self.offset >= int(total):
            return None
        assert self.current is not None
        return self.current.with_params(**{self.offset_param: self.offset})


class LinkHeaderPaginator(Paginator):
    """Follow the RFC 8288 ``Link: <url>; rel="next"`` response header (GitHub style)."""

    def __init__(self, rel: str = "next", *, max_pages: int | None = None) -> None:
        super().__init__(max_pages=max_pages)
        self.rel = rel

    def next(self, response: requests.Response, body: Any, records: list) -> RequestSpec | None:
        """The URL of the link whose ``rel`` list contains ``self.rel``."""
        header = response.headers.get("Link")
        if not header:
            return None
        for link in parse_header_links(header):
            if self.rel in link.get("rel", "").lower().split():
                return _follow(response, link.get("url"))
        return None


class HeaderNextUrlPaginator(Paginator):
    """Follow a next-page URL given in a named response header (Kinto's ``Next-Page``)."""

    def __init__(self, header: str = "Next-Page", *, max_pages: int | None = None) -> None:
        super().__init__(max_pages=max_pages)
        self.header = header

    def next(self, response: requests.Response, body: Any, records: list) -> RequestSpec | None:
        """The URL in the header, if present."""
        return _follow(response, response.headers.get(self.header))


class BodyNextUrlPaginator(Paginator):
    """Follow a next-page URL found in the body at ``next_url_path`` (``next``, ``links.next``)."""

    def __init__(self, next_url_path: str = "next", *, max_pages: int | None = None) -> None:
        super().__init__(max_pages=max_pages)
        self.next_url_path = next_url_path

    def next(self, response: requests.Response, body: Any, records: list) -> RequestSpec | None:
        """The URL in the body, if present and not empty."""
        return _follow(response, get_path(body, self.next_url_path))


#: body fields that by wide convention point at what follows a page, most specific first
NEXT_FIELDS = (
    "@odata.nextLink",
    "nextLink",
    "next_page_url",
    "nextPageUrl",
    "next_url",
    "nextUrl",
    "links.next",
    "_links.next.href",
    "_links.next",
    "paging.next.link",
    "paging.next.after",
    "paging.next",
    "meta.next_cursor",
    "meta.next",
    "response_metadata.next_cursor",
    "pagination.next_cursor",
    "pagination.next",
    "nextPageToken",
    "next_page_token",
    "nextCursor",
    "next_cursor",
    "next_page",
    "nextPage",
    "next",
)
#: the query parameter that conventionally sends a token field back
_TOKEN_PARAMS = {
    "nextPageToken": "pageToken",
    "next_page_token": "page_token",
    "paging.next.after": "after",
    "next_page": "page",
    "nextPage": "page",
}


class FollowNextPaginator(Paginator):
    """Follow whatever next-page pointer a response carries; stop when it carries none.

    For endpoints whose doc does not say how they page. It looks, in order, for a
    ``Link: <url>; rel="next"`` header and for the body fields in :data:`NEXT_FIELDS` that
    APIs use by convention. A value that is a URL (absolute, or a path) is followed as it
    is; any other value is a token, sent back as ``cursor_param`` (the doc's name for it),
    else as the parameter the field's convention implies (``nextPageToken`` -> ``pageToken``,
    ``next_page`` -> ``page``, else ``cursor``). A ``has_more: false`` in the body ends the walk.
    """

    def __init__(self, cursor_param: str | None = None, *, max_pages: int | None = None) -> None:
        super().__init__(max_pages=max_pages)
        self.cursor_param = cursor_param
        #: the field or header the last pointer came from (``None`` before one was seen)
        self.followed: str | None = None

    def first(self, request: RequestSpec) -> RequestSpec:
        self.followed = None
        return request

    def _paging_hint(self) -> str:
        return f"the pointer in `{self.followed}`" if self.followed else "nothing"

    def next(self, response: requests.Response, body: Any, records: list) -> RequestSpec | None:
        """The request the response points at, or ``None`` when it points nowhere."""
        header = response.headers.get("Link")
        for link in parse_header_links(header) if header else ():
            if "next" in link.get("rel", "").lower().split():
                self.followed = "Link"
                return _follow(response, link.get("url"))
        if not isinstance(body, dict) or body.get("has_more", body.get("hasMore")) is False:
            return None
        for name in NEXT_FIELDS:
            value = get_path(body, name)
            if isinstance(value, bool) or value in (None, "") or isinstance(value, dict | list):
                continue
            self.followed = name
            if isinstance(value, str) and value.startswith(("http://", "https://", "/", "?")):
                return _follow(response, value)
            param = self.cursor_param or _TOKEN_PARAMS.get(name, "cursor")
            assert self.current is not None
            return self.current.with_params(**{param: value})
        return None
