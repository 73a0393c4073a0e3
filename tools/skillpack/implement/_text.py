"""What the parsed ApiDoc leaves implicit, read from the doc's own words.

The parser gives a table's pagination style, endpoints and query parameters; a connector also
needs the names around them: which response field holds the next cursor and which parameter
sends it back, which header carries the next page, which query parameter asks for changes
after a cursor value, what a tombstone looks like. These helpers find those names in the doc's
text (backticked names first, then plain identifiers) and in the endpoint's query parameters.
Each returns ``None`` when the doc does not say, so the planner can record a to-do instead of
guessing silently.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from skillpack.apidoc.models import ApiDoc, Param, Table

_TICKED = re.compile(r"`([^`\n]+)`")
_IDENT = re.compile(r"(?<![\w$@.-])([$@]?[A-Za-z_][\w$@-]*(?:\.[A-Za-z_@$][\w$@-]*)*)")
_SINCE_NAME = re.compile(
    r"(?i)(since|after|from|start|modified|updated|changed|\bgt\b|_gte?$|^min_|_min$)"
)
_SINCE_TEXT = re.compile(
    r"(?i)\b(changed|modified|updated|created|newer|later|larger|greater|since|after)\b"
)
_PAGING_NAME = re.compile(
    r"(?i)^[$_]?(cursor|page|page_?token|next|offset|skip|limit|top|per_?page|page_?size|size"
    r"|count|max_?results|starting_after|continuation|_token)$"
)
_LIMIT_NAME = re.compile(
    r"(?i)^[$_]?(limit|top|per_?page|page_?size|size|count|max_?results|max|page\[size\])$"
)
_OFFSET_NAME = re.compile(r"(?i)^[$_]?(offset|skip|start|from|start_?index)$")
_PAGE_NAME = re.compile(r"(?i)^[$_]?(page|page_?number|page_?no|p)$")
_CURSOR_PARAM = re.compile(
    r"(?i)^[$_]?(cursor|page_?token|next_?token|starting_after|after|continuation|token)$"
)
_CURSOR_FIELD = re.compile(r"(?i)(next|cursor|token|continuation)")
_HEADER_BEFORE = re.compile(r"`([A-Za-z][\w-]*)`\s+(?:response\s+)?header", re.I)
_HEADER_AFTER = re.compile(r"header\s+`([A-Za-z][\w-]*)", re.I)
_PLAIN_HEADER = re.compile(r"\b([A-Z][\w]*(?:-[A-Z][\w]*)+)\s+(?:response\s+)?header", re.I)
_MAX = re.compile(
    r"(?i)(?:1\s*(?:to|-|\u2013)\s*|up to\s+|at most\s+|max(?:imum)?\s*(?:of\s*)?)(\d+)"
)
_FILTERED = re.compile(r"(?i)filtered\s+by\s+`([^`]+)`(?:\s+on\s+`([^`]+)`)?")
_WITH_PARAM = re.compile(r"(?i)\bwith\s+`([^`]+)`")
_JSON_KEY = re.compile(r'"([A-Za-z_][\w]*)"\s*:')
_FLAG = re.compile(r'(?i)"?`?([A-Za-z_]\w*)`?"?\s*:\s*`?true\b')
#: the last path segment of an OAuth token endpoint (`/oauth2/v2.0/token`, `/access_token`)
_TOKEN_SEGMENT = re.compile(r"(?i)^(?:oauth2?[_-]?)?(?:access[_-]?)?tokens?$")
_HEADING = re.compile(r"^(#{1,6})\s")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_ZERO_START = re.compile(r"(?i)(start|begin)s?\s+(at|from|with)\s+`?0")


@dataclass(frozen=True)
class DocText:
    """The doc's lines, and the stretch of them that speaks of each table."""

    lines: list[str]
    doc: ApiDoc

    def line(self, number: int | None) -> str:
        """The text of 1-based line ``number`` ("" when unknown)."""
        if number is None or not 1 <= number <= len(self.lines):
            return ""
        return self.lines[number - 1]

    def around(self, number: int | None, after: int = 2) -> str:
        """Line ``number`` and the ``after`` lines that follow it, up to a blank line."""
        if number is None:
            return ""
        out = []
        for n in range(number, min(number + after, len(self.lines)) + 1):
            text = self.line(n)
            if n > number and not text.strip():
                break
            out.append(text)
        return "\n".join(out)

    def stretch_end(self, table: Table) -> int | None:
        """The last 1-based line of the stretch that speaks of ``table``: up to the next
        table's description, and no further than its own heading's section (a last table
        does not take in the read sections of the doc's other tables)."""
        if table.line is None:
            return None
        starts = sorted({t.line for t in self.doc.tables if t.line is not None})
        end = next((s - 1 for s in starts if s > table.line), len(self.lines))
        headings = self._headings
        level = next((headings[n] for n in range(table.line, 0, -1) if n in headings), None)
        if level is None:
            return end
        return next(
            (n - 1 for n in range(table.line + 1, end + 1) if headings.get(n, 7) <= level), end
        )

    @functools.cached_property
    def _headings(self) -> dict[int, int]:
        """``{1-based line: level}`` of the doc's headings (none inside a fenced block)."""
        out: dict[int, int] = {}
        fence = ""  # the open fence's marks; a closing one repeats them, at least as long
        for n, text in enumerate(self.lines, 1):
            mark = _FENCE.match(text)
            if mark:
                run = mark.group(1)
                if not fence:
                    fence = run
                elif (
                    run[0] == fence[0] and len(run) >= len(fence) and not text[mark.end() :].strip()
                ):
                    fence = ""
                continue
            m = None if fence else _HEADING.match(text)
            if m:
                out[n] = len(m.group(1))
        return out

    def section(self, table: Table) -> str:
        """The lines from the table's description up to the next table's, plus its endpoints."""
        parts = []
        if table.line is not None:
            parts.append("\n".join(self.lines[table.line - 1 : self.stretch_end(table)]))
        for number in (
            table.read_endpoint.line if table.read_endpoint else None,
            table.pagination.line if table.pagination else None,
            table.delete_endpoint.line if table.delete_endpoint else None,
        ):
            parts.append(self.around(number))
        return "\n".join(parts)


def names_in(text: str) -> list[str]:
    """Backticked names first, then other identifier-looking words, in order, each once."""
    ticked = [t.strip() for t in _TICKED.findall(text)]
    found = [t for t in ticked if _IDENT.fullmatch(t)]
    found += [w for w in _IDENT.findall(_TICKED.sub(" ", text)) if "_" in w or w[0] in "$@"]
    return list(dict.fromkeys(found))


def ticked_names(text: str) -> list[str]:
    """Only the backticked names, in order, each once."""
    return list(dict.fromkeys(t.strip() for t in _TICKED.findall(text) if _IDENT.fullmatch(t)))


def max_page_size(params: Iterable[Param]) -> int | None:
    """The largest page size a limit parameter's description allows ("1 to 100", "up to 200")."""
    for p in params:
        if _LIMIT_NAME.match(p.name):
            m = _MAX.search(p.description)
            if m:
                return int(m.group(1))
    return None


def limit_param(params: Iterable[Param], text: str) -> str | None:
    """The page-size query parameter: from the endpoint's parameters, else named in ``text``."""
    return _limit_in(list(params)) or next(
        (n for n in ticked_names(text) if _LIMIT_NAME.match(n)), None
    )


def _limit_in(params: list[Param]) -> str | None:
    """The page-size parameter among ``params``: by its name, else by its description."""
    named = next((p.name for p in params if _LIMIT_NAME.match(p.name)), None)
    return named or next((p.name for p in params if "page size" in p.description.lower()), None)


def offset_params(params: list[Param], text: str) -> tuple[str | None, str | None]:
    """``(offset_param, limit_param)`` for offset pagination, ``None`` where not stated."""
    names = [p.name for p in params] + names_in(text)
    offset = next((n for n in names if _OFFSET_NAME.match(n)), None)
    return offset, limit_param(params, text) or next(
        (n for n in names if _LIMIT_NAME.match(n)), None
    )


def page_params(params: list[Param], text: str) -> tuple[str | None, str | None, int]:
    """``(page_param, page_size_param, first_page)`` for page-number pagination."""
    listed = [p.name for p in params]
    names = listed + names_in(text)
    page = next((n for n in names if _PAGE_NAME.match(n)), None)
    if page in listed:
        # The endpoint's own list names its page parameter, so it is the whole list: a size
        # parameter the prose names for other endpoints is not one this one takes (an API
        # answers an unknown parameter with 400).
        size = _limit_in([p for p in params if p.name != page])
    else:
        size = limit_param(params, text) or next((n for n in names if _LIMIT_NAME.match(n)), None)
    return page, size, 0 if _ZERO_START.search(text) else 1


_NEXT_PAGE_FIELD = re.compile(
    r"(?i)^(next_?page(_?(number|num|no))?|has_?more|has_?next(_?page)?)$"
)


def next_page_field(text: str) -> str | None:
    """The response field saying which page follows (``next_page``, ``has_more``), when the
    doc's words about paging name one."""
    return next((n for n in ticked_names(text) if _NEXT_PAGE_FIELD.match(n)), None)


def cursor_params(params: list[Param], text: str) -> tuple[str | None, str | None]:
    """``(cursor_path, cursor_param)``: the response field holding the next cursor and the
    query parameter that sends it back ("`next_cursor` is sent back as `cursor`")."""
    query = {p.name for p in params}
    ticked = ticked_names(text)
    param = None
    m = re.search(r"(?i)(?:sent|passed|given)\s+back\s+as\s+`([^`]+)`", text)
    if m:
        param = m.group(1)
    if param is None:
        param = next((n for n in ticked if n in query and _CURSOR_PARAM.match(n)), None)
    if param is None:
        param = next((p.name for p in params if _CURSOR_PARAM.match(p.name)), None)
    if param is None:
        # the endpoint lists no parameters, but the paging prose names the request side
        # ("`pageToken` (request) and `nextPageToken` (response)")
        param = next((n for n in ticked if _CURSOR_PARAM.match(n)), None)
    path = next(
        (n for n in ticked if n != param and n not in query and _CURSOR_FIELD.search(n)), None
    )
    if path is None:
        path = next(
            (n for n in names_in(text) if n != param and n not in query and "next" in n.lower()),
            None,
        )
    return path, param


def next_url(text: str) -> tuple[str, str | None]:
    """``("header", name)`` when the next page's URL comes in a response header, else
    ``("body", field)`` naming the body field that holds it (``None`` when not said)."""
    if "header" in text.lower():
        for rx in (_HEADER_BEFORE, _HEADER_AFTER, _PLAIN_HEADER):
            m = rx.search(text)
            if m and m.group(1).lower() != "link":
                return "header", m.group(1)
            if m:
                return "link", "Link"
    field = next(
        (n for n in names_in(text) if "next" in n.lower() and n.lower() != "next_url"), None
    )
    return "body", field


def since_param(
    table: Table, params: list[Param], text: str, exclude: set[str]
) -> tuple[str | None, bool]:
    """The query parameter asking for records changed after a cursor value, and whether it
    was only found in prose (``True``) rather than in the endpoint's parameter list."""
    cursor = (table.cursor_field or "").split(".")[-1].lower()
    best: tuple[int, str] | None = None
    for p in params:
        if p.name in exclude or _PAGING_NAME.match(p.name):
            continue
        score = _since_score(p.name, p.description, cursor)
        if p.type in ("timestamp", "date", "bigint") and score:
            score += 1
        if score >= 2 and (best is None or score > best[0]):
            best = (score, p.name)
    if best is not None:
        return best[1], False
    fields = {f.name for f in table.fields}
    for name in ticked_names(text):
        if name in exclude or name in fields or _PAGING_NAME.match(name) or name == cursor:
            continue
        if _SINCE_NAME.search(name) and re.search(
            rf"(?i)(pass|send|set|use|as|with|parameter)\W+(?:\w+\W+){{0,4}}`{re.escape(name)}`"
            rf"|`{re.escape(name)}`\s+(?:query\s+)?param",
            text,
        ):
            return name, True
    return None, False


def _since_score(name: str, description: str, cursor: str) -> int:
    score = 0
    if _SINCE_NAME.search(name):
        score += 2
    if _SINCE_TEXT.search(description):
        score += 1
    if cursor and (cursor in description.lower() or cursor.split("_")[0] in name.lower()):
        score += 1
    return score


def delete_feed(table: Table, text: str) -> tuple[str | None, str | None]:
    """``(since_param, cursor_field)`` of a delete feed, as the doc states them."""
    m = _FILTERED.search(text)
    if m:
        return m.group(1), m.group(2)
    since = None
    w = _WITH_PARAM.search(text)
    if w and _SINCE_NAME.search(w.group(1)):
        since = w.group(1)
    keys = set(table.primary_keys)
    tomb = [k for k in _JSON_KEY.findall(text) if k not in keys]
    cursor = next((k for k in tomb if re.search(r"(?i)(_at|_on|time|date|deleted)", k)), None)
    return since, cursor


def inline_flag(text: str) -> str | None:
    """The field marking a deleted record in the read endpoint (``"deleted": true``)."""
    m = _FLAG.search(text)
    return m.group(1) if m else None


def header_name(description: str) -> tuple[str | None, str]:
    """``(name, location)`` of an API key: a header (``X-Api-Key``) or a query parameter."""
    m = re.search(r"(?i)query(?:\s+string)?(?:\s+parameter)?\s+`?([\w-]+)`?", description)
    if m and m.group(1).lower() not in ("string", "parameter"):
        return m.group(1), "query"
    m = re.search(r"(?i)header\s+`?([A-Za-z][\w-]*)\s*[:`]", description) or re.search(
        r"(?i)`?([A-Za-z][\w-]*)`?\s+header", description
    )
    if m and m.group(1).lower() not in ("the", "a", "an", "request", "http"):
        return m.group(1), "header"
    return None, "header"


def authorization_scheme(description: str) -> str | None:
    """The scheme word before the credential in an Authorization header (``Bearer``, ``Token``)."""
    m = re.search(r"Authorization\b[^.\n]*?\b(?:as\s+)?([A-Z][a-z]+)\s+[<{$]", description)
    return m.group(1) if m else None


def token_url(text: str) -> str | None:
    """The OAuth token endpoint an auth section names: its first URL ending in a token segment.

    ``<tenant-id>`` stand-ins become ``{tenant_id}`` placeholders, filled from the options.
    """
    for m in re.finditer(r"https?://[^\s`)>\"']+(?:>[^\s`)>\"']*)*", text):
        url = re.sub(r"<([\w-]+)>", lambda h: "{" + h.group(1).replace("-", "_") + "}", m.group(0))
        url = url.rstrip(".,;")
        if _TOKEN_SEGMENT.match(url.rsplit("/", 1)[-1]):
            return url
    return None


def first_url(text: str) -> str | None:
    """The first absolute http(s) URL in ``text``."""
    m = re.search(r"https?://[^\s`)>\"']+", text)
    return m.group(0).rstrip(".,;") if m else None


def is_since_name(name: str) -> bool:
    """True when a parameter's name suggests "changed after" (``since``, ``updated_after``)."""
    return bool(_SINCE_NAME.search(name))
