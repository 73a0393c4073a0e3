"""Facts a doc states that the generated connector does not honour: each one a blocking to-do.

The generator reads with GET (or with a POST the doc gives no body for) from paths under the
base URL, sends only its paging, cursor and option parameters, decodes JSON (JSON lines too,
gzipped or zipped) and authenticates with the SDK's helpers as the doc's auth kind says.
Whatever a doc states beyond that (a POST read with a body, another host, a required
parameter, a token to echo back between pages, tables sharing one path, a username with a
suffix) would be dropped in silence; instead each becomes a to-do naming the table, the fact
and the doc line, so ``implement_connector``'s gate (and ``skillpack create``) stops until
someone finishes it.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

from skillpack.apidoc.models import ApiDoc, Table
from skillpack.implement._model import TablePlan, Todo

_JSON_LINES = re.compile(r"(?i)\bJSON[- ]?lines\b|\bnewline[- ]delimited\b|\bNDJSON\b|\bJSONL\b")
_BARE_LIST = re.compile(
    r"(?i)\b(?:response|body|answer)\s+is\s+(?:a\s+|an\s+)?(?:bare\s+|plain\s+|top-level\s+)?"
    r"(?:JSON\s+)?(?:array|list)\b|\b(?:bare|top-level)\s+(?:JSON\s+)?(?:array|list)\b"
)
_SESSION = re.compile(
    r"(?i)`(\w*(?:session|token)\w*)`[^.\n]*\b(?:send|pass|echo|return|include)\w*\s+(?:it\s+)?back"
    r"|\b(?:send|pass|echo|include)\w*\s+(?:the\s+)?`(\w*(?:session|token)\w*)`\s+back"
)
#: a username sent with a suffix: ``{email}/token``, ``<email>/token`` or ``email/token:key``
#: a username and what follows it before the password (``<email>/token:<api_token>``)
_USER_SUFFIX = re.compile(r"[{<](\w+)[}>](/\w+):|\b(\w+)(/token)\b:")
_DATE_TYPES = {"date"}


def _line_of(
    lines: list[str], start: int | None, end: int | None, rx: re.Pattern[str]
) -> int | None:
    """The first 1-based line in ``start..end`` matching ``rx``."""
    first = (start or 1) - 1
    last = end if end is not None else len(lines)
    for n in range(first, min(last, len(lines))):
        if rx.search(lines[n]):
            return n + 1
    return None


def shape_facts(table: Table, plan: TablePlan, section: str) -> None:
    """Honour a bare list the section states (a named key is the parser's `records_key`)."""
    if plan.records_path is None and _BARE_LIST.search(section):
        plan.bare_list = True


#: words that describe what a request sends in its body: any "body" but a response's or a
#: record's (a wrong match only costs a blocking to-do; a missed one, a read without its body)
_REQUEST_BODY = re.compile(
    r"(?i)(?<!response )(?<!responses )(?<!event )(?<!record )(?<!message )\bbody\b|"
    r"\bpayload\b|\bform[- ](?:data|encoded)\b|--data\b|(?:^|\s)-d\s"
)
#: lines around the read endpoint and each mention of its path searched for a request body
_BODY_REACH = (3, 20)


def _bodiless_post(table: Table, section: str, lines: list[str]) -> bool:
    """A POST read the generated code can send as is: neither the table's section nor the
    lines around its endpoint and each mention of its path describe a request body, and it
    has no delete feed (read by GET, with the table's entry)."""
    ep = table.read_endpoint
    if ep is None or ep.method != "POST":
        return False
    if table.ingestion_type == "cdc_with_deletes" or table.delete_endpoint is not None:
        return False
    if _REQUEST_BODY.search(section):
        return False
    before, after = _BODY_REACH
    for n, text in enumerate(lines):
        if ep.path in text or n + 1 == ep.line:
            near = lines[max(0, n - before) : n + after]
            if any(_REQUEST_BODY.search(x) for x in near):
                return False
    return True


def table_facts(
    table: Table,
    plan: TablePlan,
    section: str,
    lines: list[str],
    end: int | None,
    base_host: str | None,
    others: list[Table],
) -> list[tuple[str, str, int | None]]:
    """``(what, short, doc line)`` for each fact of ``table`` the generated code drops.

    ``base_host`` is the host requests go to (:func:`base_host`).
    """
    out: list[tuple[str, str, int | None]] = []
    ep = table.read_endpoint
    if ep is None:
        return out
    line = ep.line or table.line
    plan.method = ep.method
    if _bodiless_post(table, section, lines):
        # A query sent as POST with nothing in its body ("POST /cohorts/list"): the read
        # sends it so; that nothing goes in the body is the doc's silence, so said.
        plan.notes.append(
            Todo(
                f"{table.name}:read.method",
                table.name,
                f"the doc reads with `POST {ep.path}` (doc line {line}) and describes no "
                "request body: the generated read sends POST with its parameters in the query "
                "string and an empty body; if the API wants them in the body, describe it in "
                "the doc",
                "POST read with an empty body",
                line,
                False,
                field="method",
                guessed=True,
            )
        )
    elif ep.method != "GET":
        out.append(
            (
                f"the doc reads with `{ep.method} {ep.path}` (doc line {line}), the generated "
                "read sends GET: send the method and the body the doc describes",
                f"read method {ep.method}",
                line,
            )
        )
    if ep.path.startswith(("http://", "https://")) and not (plan.path or "").startswith("http"):
        host = urlsplit(ep.path).netloc
        if host != base_host:
            out.append(
                (
                    f"the read endpoint is on another host, `{host}` (doc line {line}), than the "
                    "base URL: the generated read sends the path to the base URL",
                    f"endpoint host {host}",
                    line,
                )
            )
    sent = set(plan.options)
    if plan.since_param:
        sent.add(plan.since_param)
    if plan.pagination is not None:
        sent |= {str(v) for v in plan.pagination.args.values() if v}
        if plan.pagination.limit_param:
            sent.add(plan.pagination.limit_param)
    plan.required_params = [p.name for p in ep.query_params if p.required]
    for p in ep.query_params:
        if not p.required or p.name in sent:
            continue
        if p.type in _DATE_TYPES:
            # a date bound moves with every read (a window), which no fixed option gives
            out.append(
                (
                    f"required query parameter `{p.name}` ({p.doc_type or p.type}) is never "
                    f"sent (doc line {p.line or line}): send it in the format the doc gives",
                    f"required `{p.name}` not sent",
                    p.line or line,
                )
            )
        else:
            # What selects the records (a survey, a property) is the caller's to say, per
            # table: the read takes it from the table options and refuses to go without it.
            plan.options.append(p.name)
            plan.required_options.append(p.name)
            plan.notes.append(
                Todo(
                    f"{table.name}:option:{p.name}",
                    table.name,
                    f"required query parameter `{p.name}` ({p.doc_type or p.type}, doc line "
                    f"{p.line or line}) is the required table option `{p.name}`: confirm "
                    "that a caller picks it (the doc gives no value for it)",
                    f"`{p.name}` a required table option",
                    p.line or line,
                    False,
                    field=p.name,
                    guessed=True,
                )
            )
    cursor_type = next((f.type for f in table.fields if f.name == table.cursor_field), None)
    since = next((p for p in ep.query_params if p.name == plan.since_param), None)
    if (
        since is not None
        and cursor_type
        and (since.type in _DATE_TYPES) != (cursor_type in _DATE_TYPES)
    ):
        out.append(
            (
                f"`{since.name}` takes a {since.doc_type or since.type} but the cursor "
                f"`{table.cursor_field}` is a {cursor_type} (doc line {since.line or line}): "
                "convert the cursor to the parameter's format before sending it",
                f"`{since.name}` format differs from the cursor",
                since.line or line,
            )
        )
    if _line_of(lines, table.line, end, _JSON_LINES) is not None:
        # the SDK's client reads JSON lines (gzipped or zipped too) as a list of records;
        # the flag makes the standalone simulator answer in that form; no key holds them
        plan.json_lines, plan.bare_list, plan.records_path = True, True, None
    session = _line_of(lines, table.line, end, _SESSION)
    if session is not None:
        m = _SESSION.search(lines[session - 1])
        name = (m.group(1) or m.group(2)) if m else "token"
        out.append(
            (
                f"each next page must send back `{name}` from the first response (doc line "
                f"{session}); the generated paginator sends only the page parameter",
                f"`{name}` not echoed between pages",
                session,
            )
        )
    shared = [
        o.name
        for o in others
        if o.name != table.name
        and o.read_endpoint is not None
        and o.read_endpoint.path == ep.path
        and o.read_endpoint.method == ep.method
    ]
    if shared:
        out.append(
            (
                f"tables {', '.join(f'`{n}`' for n in [table.name, *shared])} share "
                f"`{ep.method} {ep.path}` (doc line {line}): send the parameters that select "
                "this table's records, and give the simulator spec each table's `match_params`",
                "shares its path with " + ", ".join(shared),
                line,
            )
        )
    return out


def base_host(base_url: str | None, tables: list[Table]) -> str | None:
    """The host requests go to: the base URL's, else the one most read endpoints name (for a
    doc that states no base URL the `base_url` option stands for it, so only endpoints
    elsewhere are on another host)."""
    if base_url:
        return urlsplit(base_url).netloc
    hosts = Counter(
        urlsplit(t.read_endpoint.path).netloc
        for t in tables
        if t.read_endpoint is not None and t.read_endpoint.path.startswith(("http://", "https://"))
    )
    return hosts.most_common(1)[0][0] if hosts else None


def username_suffix(doc: ApiDoc, lines: list[str]) -> str | None:
    """What basic auth appends to the username option, when the doc shows it (``/token`` in
    ``<email>/token:<api_token>``)."""
    for method in doc.auth[:1]:
        if method.kind != "basic" or method.line is None:
            continue
        start = method.line
        while start > 1 and not lines[start - 1].startswith("#"):
            start -= 1
        end = start
        while end < len(lines) and not (end > start and lines[end].startswith("#")):
            end += 1
        found = _line_of(lines, start, end, _USER_SUFFIX)
        if found is not None:
            m = _USER_SUFFIX.search(lines[found - 1])
            assert m is not None
            return m.group(2) or m.group(4)
    return None
