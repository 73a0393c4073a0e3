"""Small readers shared by the API-doc parser: endpoints, parameter and field tables, lists."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from skillpack.apidoc._tree import Block, Cell
from skillpack.apidoc._vocab import (
    ASIDE,
    CURL,
    CURL_METHOD,
    ENDPOINT,
    IDENT,
    SECRET_NAME,
    is_yes,
    map_type,
    per_doc,
)
from skillpack.apidoc.models import HTTP_METHODS, Endpoint, Param, TableField, filled

_CODE = re.compile(r"`([^`]+)`")


def codes_in(text: str) -> list[str]:
    """Code spans of one rebuilt inline text (spans are kept in backticks by the tree)."""
    return _CODE.findall(text) if "`" in text else []


def plain(text: str) -> str:
    """Text without backticks."""
    return text.replace("`", "").strip()


#: a JSONPath-ish spelling of where records sit: ``$.data``, ``data[]``, ``data[*]``
_PATH_DECOR = re.compile(r"^\$\.?|(?:\[\*?\])+$")
_DOTTED = re.compile(r"[\w$@-]+(?:\.[\w$@-]+)*")


def records_key_of(text: str) -> str | None:
    """The dotted path a "Response key" value names (``$.data.items[]`` -> ``data.items``)."""
    if is_none_value(text):
        return None
    for raw in codes_in(text) or identifiers(text):
        key = _dotted_key(raw)
        if key:
            return key
    return None


def _dotted_key(raw: str) -> str | None:
    """``raw`` as a dotted path, JSONPath decoration dropped, if it is one."""
    key = _PATH_DECOR.sub("", raw.strip()).replace("[*].", ".").replace("[].", ".")
    return key if _DOTTED.fullmatch(key) else None


#: what may follow a name after "returned in": a way of returning, not a place
#: ("results are returned in `created_at` order", "in `JSON` format")
_NOT_A_PLACE = (
    r"(?!\s+(?:order|format|form|state|status|mode|style|encoding|case|batch|page)"
    r"(?:e?s)?\b)"
)
#: sentences saying where a list response keeps its records: "records are listed under
#: `data`", "responses keep their records under `items`", "the `items` array holds the
#: records", "Response key: `tickets`" after a sentence. Each wants its verb ("results in
#: `429`" is the verb "result"), and what it names must be the place the records sit, not
#: a field counting them ("the `limit` field contains the items per page").
_RECORDS_AT = (
    re.compile(
        r"(?i)\b(?:records|results|items|rows|entries|objects)\s+(?:are|come)\s+"
        r"(?:(?:listed|returned|found|kept|nested|wrapped|given)\s+)?(?:in|under)\s+"
        r"(?:the\s+)?`([^`\n]+)`" + _NOT_A_PLACE
    ),
    re.compile(
        r"(?i)\b(?:keep|hold|put|return|list|nest|wrap)s?\s+(?:(?:its|their|the)\s+)?"
        r"(?:records|results|items|rows|entries|objects)\s+(?:in|under)\s+(?:the\s+)?"
        r"`([^`\n]+)`" + _NOT_A_PLACE
    ),
    re.compile(
        r"(?i)`([^`\n]+)`\s+(?:array|list|key|field|member|property)\s+"
        r"(?:holds|contains|lists|carries)\s+(?:the\s+)?(?:records|results|items|rows)"
        r"(?=\s*(?:[.,;:)]|$)|\s+(?:of|in|from)\s+(?:the|each|a)\b)"
    ),
    re.compile(r"(?i)\bresponse\s+key\b[^`\n]*`([^`\n]+)`|\brecords\s+key\s*:\s*`([^`\n]+)`"),
)
#: `tickets.json` names a file (a schema, a spec), not a response field
_FILE_NAME = re.compile(r"(?i)\.(?:json|ya?ml|xml|csv|md|txt|html?)$")


#: a word each of those sentences holds: a cheap test before the patterns
_RECORDS_WORD = re.compile(r"records|results|items|rows|entries|objects|response key")


def records_key_in_prose(text: str) -> str | None:
    """Where a sentence of ``text`` says a list response keeps its records, if one does."""
    if "`" not in text:
        return None
    if not _RECORDS_WORD.search(text.lower()):
        return None
    for rx in _RECORDS_AT:
        for m in rx.finditer(text):
            raw = m.group(m.lastindex or 1)
            key = None if is_none_value(raw) else _dotted_key(raw)
            # (a status, "results in `400`", is no field; nor a file, `tickets.json`)
            if key and key[0] not in "0123456789" and not _FILE_NAME.search(key):
                return key
    return None


def identifiers(text: str) -> list[str]:
    """Identifier-like names a label value gives: its code spans, else its bare words."""
    if is_none_value(text):
        return []
    spans = codes_in(text)
    if spans:
        return code_names(spans)
    words = re.split(r"\s*(?:,|/|\+|\band\b|&)\s*", re.sub(r"\(.*?\)", "", text))
    out = []
    for w in words:
        w = w.strip(" .*_")
        if w and IDENT.match(w) and w.lower() not in ("none", "n/a", "na", "null", "-"):
            out.append(w)
    return out


def code_names(spans: list[str]) -> list[str]:
    """The names code spans give: one per identifier span, and each member of a span that
    writes a composite key as one list of names, "`[cohort_id, distinct_id]`" or "`(a, b)`"."""
    names = []
    for span in (s.strip() for s in spans):
        if IDENT.match(span):
            names.append(span)
        elif span.startswith(("[", "(")):
            # only a list of names: "`[cursor - lookback, now]`" is an interval, no key
            parts = [p.strip() for p in span.strip("[]()").split(",")]
            if len(parts) > 1 and all(IDENT.match(p) for p in parts):
                names += parts
    return names


def is_none_value(text: str) -> bool:
    """Whether a label value says there is none (``none``, ``n/a``, ``not supported`` ...)."""
    t = plain(text).lower()
    # whole words only: `name` and `nation` begin like "n/a" and are names
    return bool(_NONE_VALUE.match(t))


_NONE_VALUE = re.compile(
    r"^(?:(?:none|n/?a|no|not (?:supported|available|applicable))(?!\w)|[-\u2014]+(?![\w]))"
)


# --- endpoints ---------------------------------------------------------------------------


def _split_query(path: str) -> tuple[str, list[Param]]:
    if "?" not in path:
        return path, []
    base, _, query = path.partition("?")
    params = []
    for part in query.split("&"):
        name, _, value = part.partition("=")
        name = name.strip()
        if name and IDENT.match(name):
            # "_lastUpdated=gt{cursor}": the value is sent after an operator; other values
            # in an example URL are examples, not what every request sends
            kept = value.strip() if _PREFIXED_PLACEHOLDER.match(value.strip()) else None
            params.append(Param(name=name, value=kept))
    return base, params


#: a query value made of a short operator and a placeholder (``gt{cursor}``, ``ge:{since}``)
_PREFIXED_PLACEHOLDER = re.compile(r"^[A-Za-z]{1,4}:?\{\w+\}$")


_ANGLE_PLACEHOLDER = re.compile(r"<([A-Za-z_][\w-]*)>")


def make_endpoint(method: str, path: str, line: int, base_url: str | None) -> Endpoint:
    """An ``Endpoint`` with its path made relative to ``base_url`` and query names split off."""
    path = _ANGLE_PLACEHOLDER.sub(r"{\1}", path.rstrip(".,;:"))
    if base_url and path.startswith(base_url):
        path = path[len(base_url) :] or "/"
    elif path.startswith("http"):
        # A full URL on another base: keep only its path when it looks versioned like ours.
        pass
    path, params = _split_query(path)
    return Endpoint(method=method, path=path, query_params=params, line=line)  # type: ignore[arg-type]


#: any HTTP method word: one search, before the endpoint pattern
HAS_METHOD = re.compile("|".join(HTTP_METHODS))


def endpoints_in_text(text: str, line: int, base_url: str | None) -> list[Endpoint]:
    """Endpoints written as ``METHOD /path`` in one inline text."""
    if not HAS_METHOD.search(text):
        return []
    return [make_endpoint(m.group(1), m.group(2), line, base_url) for m in ENDPOINT.finditer(text)]


def endpoints_in_code(block: Block, base_url: str | None) -> list[Endpoint]:
    """Endpoints in a code block: ``METHOD /path`` request lines and ``curl`` calls."""
    out: list[Endpoint] = []
    for offset, raw in enumerate(block.text.splitlines()):
        line = raw.strip()
        if not line:
            continue
        lineno = block.line + 1 + offset
        m = ENDPOINT.match(line)
        if m:
            out.append(make_endpoint(m.group(1), m.group(2), lineno, base_url))
            continue
        if line.startswith("curl"):
            c = CURL.search(line)
            if c:
                mm = CURL_METHOD.search(line)
                method = mm.group(1) if mm else ("POST" if " -d " in line else "GET")
                if method in HTTP_METHODS:
                    out.append(make_endpoint(method, c.group(2), lineno, base_url))
    return out


# --- tables ------------------------------------------------------------------------------

_NAME_COL = re.compile(
    r"^(?:field|name|column|property|attribute|key|parameter|param|option|setting|path|"
    r"argument|variable|element|json (?:key|field)|(?:field|column|property|attribute|"
    r"parameter|param|option|query parameter|query param|body field|connection parameter|"
    r"config(?:uration)? (?:key|option)|credential) ?name|query (?:parameter|param)|"
    r"body (?:field|parameter|param)|connection parameter|credential|config(?:uration)? key|"
    r"table option|option name|header)s?$"
)
_TYPE_COL = re.compile(r"^(?:data ?type|type|format|kind|value type|json type|schema|spark type)$")
_DESC_COL = re.compile(r"^(?:description|desc|meaning|notes?|details|comments?|purpose|about)$")
_REQ_COL = re.compile(r"^(?:required|mandatory|req(?:uired)?\??|optional)$")
_SECRET_COL = re.compile(r"^(?:secret|sensitive|masked|confidential|secure|encrypted)\??$")
_PK_COL = re.compile(r"^(?:primary key|pk|key|is key|primary|unique|id)\??$")
_CURSOR_COL = re.compile(r"^(?:cursor|incremental|cursor field)\??$")
_SUMMARY_NAME_COL = re.compile(
    r"^(?:table|tables|table name|object|objects|object name|stream|streams|stream name|"
    r"entity|entities|entity set|entity name|resource|resources|name|dataset|endpoint name|"
    r"object type|report|collection|module|modules|module name|api name|connector table)$"
)
_SUMMARY_OTHER_COL = re.compile(
    r"(?:endpoint|path|url|primary key|pk|keys?|cursor|ingestion|sync mode|replication|"
    r"incremental|description|parent|option|param|pagination)"
)


@dataclass(slots=True, frozen=True)
class Columns:
    """Which column of a Markdown table holds what; -1 when absent. (Read once per header
    and shared, so frozen.)"""

    name: int = -1
    type: int = -1
    desc: int = -1
    required: int = -1
    secret: int = -1
    pk: int = -1
    cursor: int = -1
    header: tuple[str, ...] = ()


#: what a header may name, in the order a header is tried against them
_COLUMN_KINDS = (
    ("name", _NAME_COL),
    ("type", _TYPE_COL),
    ("desc", _DESC_COL),
    ("required", _REQ_COL),
    ("secret", _SECRET_COL),
    ("pk", _PK_COL),
    ("cursor", _CURSOR_COL),
)


def _norm_header(cell: Cell) -> str:
    return _norm_header_text(cell.text)


@per_doc
def _norm_header_text(raw: str) -> str:
    # "Object (table)" and "Ingestion type (planned)": the aside in parentheses is no part
    # of what the column holds.
    text = ASIDE.sub("", plain(raw)) if "(" in raw else plain(raw)
    return " ".join(text.lower().replace("_", " ").strip(" *:?").split())


def columns(block: Block) -> Columns:
    """Which column holds what (read once per header: a doc repeats its table layouts; the
    result is shared, so it is read, never changed)."""
    return _columns(tuple(c.text for c in block.header))


@per_doc
def _columns(header_texts: tuple[str, ...]) -> Columns:
    header = tuple(_norm_header_text(t) for t in header_texts)
    at: dict[str, int] = {}
    for i, h in enumerate(header):
        # the first kind not yet placed that the header names
        kind = next((k for k, rx in _COLUMN_KINDS if k not in at and rx.match(h)), None)
        if kind is not None:
            at[kind] = i
    return Columns(header=header, **at)


def is_summary_table(block: Block) -> int:
    """Column of table names when ``block`` lists tables with their endpoints or keys, else -1."""
    header = [_norm_header(c) for c in block.header]
    # "Object / concept": a column named two ways names tables if either way does
    parts = [part.strip() for part in header[0].split("/")]
    if len(header) < 2 or not any(_SUMMARY_NAME_COL.match(part) for part in parts):
        return -1
    if "name" in parts and any(_TYPE_COL.match(h) for h in header):
        return -1  # a field table that calls its first column "name"
    if any(_SUMMARY_OTHER_COL.search(h) for h in header[1:]):
        return 0
    return -1


_REQUIRED_ASIDE = re.compile(r"\s*\((?:required|optional)\)\s*$", re.I)


def cell_name(cell: Cell) -> str | None:
    """The identifier a name cell holds: its first code span, else its cleaned text."""
    if cell.codes:
        cand = cell.codes[0].strip()
    else:
        cand = _REQUIRED_ASIDE.sub("", plain(cell.text))
        cand = cand.strip(" *\u2020")
    cand = cand.replace("[]", "")
    return cand if cand and IDENT.match(cand) else None


def _cell(row: list[Cell], i: int) -> Cell | None:
    return row[i] if 0 <= i < len(row) else None


def _required(row: list[Cell], cols: Columns) -> bool:
    c = _cell(row, cols.required)
    if c is None:
        name = _cell(row, cols.name)
        return bool(name and ("*" in name.text or "(required)" in name.text.lower()))
    if cols.header[cols.required] == "optional":
        return not is_yes(c.text)
    return is_yes(c.text)


def params_from_table(block: Block, *, secret_by_name: bool = False) -> list[Param]:
    """Parameters (query, body, option or connection) a Markdown table lists."""
    cols = columns(block)
    name_col = cols.name if cols.name >= 0 else 0
    out: list[Param] = []
    for row, line in zip(block.rows, block.row_lines, strict=False):
        name_cell = _cell(row, name_col)
        name = cell_name(name_cell) if name_cell else None
        if not name:
            continue
        type_cell = _cell(row, cols.type)
        doc_type = plain(type_cell.text) if type_cell else ""
        spark = map_type(doc_type) if doc_type else None
        desc_cell = _cell(row, cols.desc)
        secret_cell = _cell(row, cols.secret)
        if secret_cell is not None:
            secret = is_yes(secret_cell.text)
        else:
            secret = secret_by_name and bool(SECRET_NAME.search(name))
        out.append(
            Param(
                name=name,
                type=spark[0] if spark else "string",  # type: ignore[arg-type]
                doc_type=doc_type,
                required=_required(row, cols),
                secret=secret,
                description=plain(desc_cell.text) if desc_cell else "",
                line=line,
            )
        )
    return out


@dataclass(slots=True)
class FieldRows:
    """Fields read from one field table, plus the key and cursor columns or notes it carries."""

    fields: list[TableField]
    pk: list[str]
    cursor: list[str]
    untyped: int


def fields_from_table(block: Block) -> FieldRows:
    cols = columns(block)
    name_col = cols.name if cols.name >= 0 else 0
    fields: list[TableField] = []
    pk: list[str] = []
    cursor: list[str] = []
    untyped = 0
    for row, line in zip(block.rows, block.row_lines, strict=False):
        name_cell = _cell(row, name_col)
        name = cell_name(name_cell) if name_cell else None
        if not name:
            continue
        type_cell = _cell(row, cols.type)
        desc_cell = _cell(row, cols.desc)
        if desc_cell is None and len(row) > 1:
            # No description header: take the last column that is neither name nor type.
            rest = [i for i in range(len(row)) if i not in (name_col, cols.type)]
            desc_cell = row[rest[-1]] if rest else None
        doc_type = plain(type_cell.text) if type_cell else ""
        spark = map_type(doc_type) if doc_type else None
        if spark is None:
            untyped += 1
        # no validation: every value below already fits the model, and this runs per row
        fields.append(
            filled(
                TableField,
                {
                    "name": name,
                    "type": spark[0] if spark else "string",
                    "element_type": spark[1] if spark else None,
                    "doc_type": doc_type,
                    "description": plain(desc_cell.text) if desc_cell else "",
                    "line": line,
                },
            )
        )
        pk_cell = _cell(row, cols.pk)
        if pk_cell is not None and is_yes(pk_cell.text):
            pk.append(name)
        cur_cell = _cell(row, cols.cursor)
        if cur_cell is not None and is_yes(cur_cell.text):
            cursor.append(name)
    return FieldRows(fields, pk, cursor, untyped)


def is_field_table(block: Block) -> bool:
    cols = columns(block)
    return cols.name >= 0 and cols.type >= 0


# --- bullet lists of fields or parameters --------------------------------------------------

_ITEM_NAME = re.compile(r"^`([^`]+)`|^([A-Za-z_@$][\w.\-@$\[\]]*)(?=\s*[(:\u2013\u2014-])")
_ITEM_PARENS = re.compile(r"^\s*\(([^)]*)\)")
_ITEM_SEP = re.compile(r"^\s*[:\u2013\u2014-]+\s*")


def parse_item(text: str) -> tuple[str, str, str] | None:
    """``(name, doc_type, description)`` for list items like ``id (string): ...``."""
    m = _ITEM_NAME.match(text)
    if not m:
        return None
    name = (m.group(1) or m.group(2)).strip().replace("[]", "")
    if not IDENT.match(name):
        return None
    rest = text[m.end() :]
    doc_type = ""
    p = _ITEM_PARENS.match(rest)
    if p:
        doc_type = p.group(1)
        rest = rest[p.end() :]
    rest = _ITEM_SEP.sub("", rest, count=1)
    if not doc_type:
        # "`id`: string - the id" or "`id` — integer, the id"
        head = re.match(r"^`?([A-Za-z][\w<>\[\]\-]{0,30})`?(?:\s*[,.;:\u2013\u2014-]\s+|$)", rest)
        if head and map_type(head.group(1)):
            doc_type = head.group(1)
            rest = rest[head.end() :]
    return name, doc_type.strip(), rest.strip()


def field_from_item(text: str, line: int, prefix: str) -> TableField | None:
    parsed = parse_item(text)
    if parsed is None:
        return None
    name, doc_type, desc = parsed
    spark = map_type(doc_type) if doc_type else None
    return TableField(
        name=f"{prefix}{name}",
        type=spark[0] if spark else "string",  # type: ignore[arg-type]
        element_type=spark[1] if spark else None,  # type: ignore[arg-type]
        doc_type=doc_type,
        description=plain(desc),
        line=line,
    )


def param_from_item(text: str, line: int, *, secret_by_name: bool = False) -> Param | None:
    parsed = parse_item(text)
    if parsed is None:
        return None
    name, doc_type, desc = parsed
    spark = map_type(doc_type) if doc_type else None
    flags = f"{doc_type} {desc}".lower()
    secret = "secret" in flags or "sensitive" in flags
    if not secret and secret_by_name:
        secret = bool(SECRET_NAME.search(name))
    return Param(
        name=name,
        type=spark[0] if spark else "string",  # type: ignore[arg-type]
        doc_type=doc_type,
        required="required" in flags and "not required" not in flags,
        secret=secret,
        description=plain(desc),
        line=line,
    )


# --- fields from a JSON example ---------------------------------------------------------------


def _json_type(value: object) -> tuple[str, str | None]:
    if isinstance(value, bool):
        return "boolean", None
    if isinstance(value, int):
        return "bigint", None
    if isinstance(value, float):
        return "double", None
    if isinstance(value, dict):
        return "struct", None
    if isinstance(value, list):
        inner = _json_type(value[0])[0] if value else "string"
        return "array", inner
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", value):
        return "timestamp", None
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        return "date", None
    return "string", None


def fields_from_json(block: Block) -> list[TableField]:
    """Fields of the first record in a JSON example (a record, a list, or a list under a key)."""
    text = block.text.strip()
    if not text or text[0] not in "[{":
        return []
    try:
        data = json.loads(text)
    except ValueError:
        return []
    record = data
    if isinstance(record, dict):
        lists = [v for v in record.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        if len(lists) == 1 and len(record) <= 6:
            record = lists[0]
    if isinstance(record, list):
        record = record[0] if record and isinstance(record[0], dict) else None
    if not isinstance(record, dict):
        return []
    out: list[TableField] = []
    for key, value in record.items():
        if not isinstance(key, str) or not IDENT.match(key):
            continue
        spark, element = _json_type(value)
        out.append(TableField(name=key, type=spark, element_type=element, line=block.line))  # type: ignore[arg-type]
        if isinstance(value, dict):
            for sub, subval in value.items():
                if isinstance(sub, str) and IDENT.match(sub):
                    s2, e2 = _json_type(subval)
                    out.append(
                        TableField(name=f"{key}.{sub}", type=s2, element_type=e2, line=block.line)  # type: ignore[arg-type]
                    )
    return out
