"""The words API docs use: labels, section titles, types, ingestion and pagination styles.

Every pattern here runs on one rebuilt inline text (a heading, a paragraph, a list item or a
table cell), never on the raw document.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TypeVar

_F = TypeVar("_F", bound=Callable)
_PER_DOC: list = []


def per_doc(fn: _F) -> _F:
    """Memoise a pure function of text for the length of one doc's parse: a doc repeats its
    type words, field names and table layouts. The caches empty before each doc (see
    :func:`clear_doc_caches`), so every doc is read, and timed, on its own."""
    cached = functools.lru_cache(maxsize=8192)(fn)
    _PER_DOC.append(cached)
    return cached  # type: ignore[return-value]


def clear_doc_caches() -> None:
    """Forget what earlier docs said (called once per parse)."""
    for cached in _PER_DOC:
        cached.cache_clear()


_NOT_ALNUM = re.compile(r"[^0-9a-z]")


def alnum_key(text: str) -> str:
    """``text`` lower-cased, keeping only its letters and digits: the form names are
    compared in (``updated_at``, ``updatedAt`` and ``Updated At`` alike)."""
    return _NOT_ALNUM.sub("", text.lower())


# --- labels ("Primary key: `id`", a bold label, a two-column table row) -------------------

_LABELS: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(rf"^(?:{pattern})$"))
    for name, pattern in [
        ("source", r"source(?: name| id)?|connector(?: name| id)?|source system|system name"),
        (
            "base_url",
            r"base ?(?:url|uri|path|endpoint)|api (?:base(?: url)?|url|root|host)|root url|"
            r"host(?: ?name)?|server(?: url)?|url|api endpoint|graphql endpoint",
        ),
        ("http_method", r"(?:http|request) (?:method|verb)|verb"),
        (
            "auth_kind",
            r"(?:auth(?:entication)?|authori[sz]ation)(?: (?:kind|type|method|scheme|mechanism))?"
            r"|kind|scheme|mechanism|method",
        ),
        (
            "sent_as",
            r"sent as|sent in|passed as|passed in|location|in|header(?: name| format)?|usage",
        ),
        ("table_name", r"table(?: name)?|stream(?: name)?|object(?: name)?|entity|resource"),
        (
            "primary_key",
            r"primary[ _-]?keys?(?:\(s\))?|pks?|unique (?:key|id|identifier)s?|keys?|"
            r"key (?:fields?|columns?)|identifiers?|id field|record (?:key|id)|natural key",
        ),
        (
            "cursor",
            r"cursor(?: field| column| key)?|incremental (?:cursor|field|key|column)|"
            r"replication (?:key|field)|watermark(?: field| column)?|(?:sync|change) cursor|"
            r"incremental sync field|updated field",
        ),
        (
            "ingestion",
            r"ingestion(?: type| mode)?|sync (?:mode|type)|replication(?: method| mode| type)?|"
            r"load (?:type|strategy|mode)|ingestion strategy",
        ),
        (
            "read_endpoint",
            r"(?:read|list|source|api|data|main|get)? ?endpoint|read|list|request|"
            r"endpoint (?:url|path)|path",
        ),
        ("pagination", r"pagination(?: style| type| method)?|paging|paginated"),
        (
            "records_key",
            r"(?:response )?(?:records?|results?|data|list|array|envelope) key|"
            r"response (?:key|wrapper|records (?:field|path))|records? (?:path|field|at)",
        ),
        (
            "delete_feed",
            r"delete(?:d)? feed|deletes?(?: endpoint| feed)?|deleted (?:records|items|rows|"
            r"objects)(?: endpoint| feed)?|tombstones?(?: endpoint)?|deletions?(?: feed)?|"
            r"delete tracking",
        ),
        ("insert", r"insert|create|add|post|insert endpoint|create endpoint"),
        ("update", r"update|modify|edit|patch|put|update endpoint"),
        ("write_delete", r"remove|delete endpoint|delete one|destroy"),
        ("description", r"description|summary|about"),
        ("query_params", r"query(?: parameters| params)?|parameters|params|filters?"),
    ]
]

_LABEL_SPLIT = re.compile(r"^\s*([A-Za-z][\w ()/\-]{0,40}?)\s*(?:[:\uff1a]|\s[\u2013\u2014-]\s)\s*")


#: a sentence that starts with another label, inside one label's value
_NEXT_LABEL = re.compile(r"[.;]\s+\**([A-Z][\w ()/\-]{0,40}?)\**\s*:")

#: an aside in parentheses ("Object (table)"), no part of what a label or header names
ASIDE = re.compile(r"\s*\([^)]*\)")

_LABEL_PREFIX = re.compile(
    r"^(?:recommended|suggested|default|preferred|supported|chosen|proposed|effective)\s+"
)


@per_doc
def classify_label(label: str) -> str | None:
    """The canonical name of a label such as ``Primary key(s)``, or None."""
    norm = " ".join(label.lower().replace("_", " ").split()).strip(" *")
    norm = _LABEL_PREFIX.sub("", norm)
    for name, pattern in _LABELS:
        if pattern.match(norm):
            return name
    # a qualifier in parentheses ("Pagination (connector)") names the same fact
    norm = ASIDE.sub("", norm).strip()
    for name, pattern in _LABELS:
        if pattern.match(norm):
            return name
    return None


@per_doc
def split_label(text: str) -> tuple[str, str] | None:
    """``("primary_key", "`id`")`` for ``Primary key: `id` ``; None when not a known label."""
    m = _LABEL_SPLIT.match(text)
    if not m:
        return None
    name = classify_label(m.group(1))
    if name is None:
        return None
    value = text[m.end() :].strip()
    # "Primary key: `id`. Pagination: ..." states two facts; each label keeps its own
    for nxt in _NEXT_LABEL.finditer(value):
        if classify_label(nxt.group(1)):
            return name, value[: nxt.start()].strip()
    return name, value


# --- section titles ----------------------------------------------------------------------------

META_TITLE = re.compile(
    r"\b(overview|introduction|intro|about|summary|getting started|authentication|"
    r"authori[sz]ation|auth|credentials|security|rate limit\w*|throttl\w*|limits|errors?|"
    r"error (?:handling|codes)|status codes|changelog|change log|glossary|appendix|"
    r"faq|versioning|conventions|general|connection(?: parameters| options)?|configuration|"
    r"settings|base url|notes|references?|see also|support|webhooks?|prerequisites|setup|"
    r"retries|known issues|limitations|terms|license|contents|table of contents|toc)\b"
)
AUTH_TITLE = re.compile(
    r"\b(authentication|authori[sz]ation|auth|credentials|security|api keys?)\b"
)
CONNECTION_TITLE = re.compile(
    r"\b(connection(?: parameters| options| settings)?|configuration|settings|config)\b"
)
PAGINATION_TITLE = re.compile(r"\b(paginat\w*|paging)\b")
WRITE_TITLE = re.compile(
    r"\b(write[- ]?back|writ(?:e|ing)(?: (?:operations|endpoints|support|api))?|mutations?|"
    r"writes|write tests?)\b"
)
CONTAINER_TITLE = re.compile(
    r"^(?:\d+[.)]?\s*)?(?:the\s+)?(?:supported\s+|available\s+)?(tables|objects|streams|"
    r"resources|entities|endpoints|data model|schemas|api reference|reference|datasets|"
    r"collections|reports|data|api|api endpoints|rest api|tables and endpoints|object list)"
    r"(?:\s+(?:and|&)\s+\w+)?\s*$"
)
#: sections about one aspect of every table; never a table themselves
ASPECT_TITLE = re.compile(
    r"\b(read apis?|data retrieval|object schemas?|object list|primary keys?|ingestion types?|"
    r"field type mapping|type mapping|example requests?|api endpoints|read endpoints|"
    r"incremental (?:sync|reads?|loading)|change tracking|deletes|deletion tracking|"
    r"objects? schema|table schemas?|streams? schema|entity schemas?)\b"
)
OBJECT_LIST_TITLE = re.compile(
    r"\b(object list|list of (?:objects|tables|streams|entities|resources)|"
    r"(?:supported|available) (?:objects|tables|streams|entities|resources)|"
    r"^(?:tables|objects|streams|entities)$)"
)
DETAIL_TITLE = re.compile(
    r"\b(fields?|schema|columns?|propert(?:y|ies)|attributes?|response|record format|"
    r"output|structure|payload|sample|example|examples|read endpoint|endpoints?|request|"
    r"query(?: parameters| params)?|parameters|params|filters?|paginat\w*|paging|"
    r"incremental|sync|cursor|primary key|keys?|deletes?|deleted|deletions?|tombstones?|"
    r"write[- ]?back|writes?|create|insert|update|modify|remove|body|options|notes?|"
    r"metadata|ingestion|limits|errors|usage|details|description|change tracking|"
    r"how to read|reading)\b"
)
CTX_QUERY = re.compile(r"\b(query|parameters|params|filters?|arguments)\b")
#: a (lower-cased) field description saying records never carry it: only "deprecated", or
#: write-only
NOT_RETURNED = re.compile(
    r"^\W*deprecated\W*$|\bwrite[- ]only\b|\bnever returned\b|\bnot returned\b|"
    r"\binput[- ]only\b"
)
#: a heading (or lead-in) that introduces the table's own endpoint ("#### Endpoint")
CTX_ENDPOINT = re.compile(r"^\W*(?:(?:list|read|http|api|primary) )?(?:endpoints?|request)\W*$")
CTX_FIELDS = re.compile(
    r"\b(fields?|schema|columns?|propert(?:y|ies)|attributes?|response|record|output|"
    r"structure|payload|returns?)\b"
)
CTX_OPTIONS = re.compile(r"\b(table options?|options|table settings|table configuration)\b")
CTX_DELETES = re.compile(
    r"\b(delete(?:d)? (?:feed|records|items|rows|objects)|deletions?|tombstones?|deleted|"
    r"delete tracking|tracking deletes|deletes)\b"
)
CTX_WRITE = re.compile(
    r"\b(write[- ]?back|writes?|writing|create|creating|insert|inserting|update|updating|"
    r"modify|remove|removing|request body|body fields?|body)\b"
)
CTX_PAGINATION = PAGINATION_TITLE
_PARENTHETICAL = re.compile(r"\s*\([^()]*\)")


@per_doc
def title_context(title: str) -> str | None:
    """What a detail heading or a lead-in paragraph (``Fields:``) introduces, if anything.

    A parenthetical qualifies the title rather than naming what follows: "Snapshot tables
    (paginated, full refresh)" lists tables, it is no pagination section.
    """
    t = _PARENTHETICAL.sub("", title).strip().lower() or title.lower()
    if CTX_OPTIONS.search(t):
        return "options"
    if CTX_DELETES.search(t):
        return "deletes"
    if CTX_WRITE.search(t):
        return "write"
    if CTX_QUERY.search(t):
        return "query"
    if CTX_PAGINATION.search(t):
        return "pagination"
    if CTX_FIELDS.search(t):
        return "fields"
    if CTX_ENDPOINT.match(t):
        return "endpoint"
    return None


# --- endpoints -------------------------------------------------------------------------------

#: a path character, or a whole ``<app_id>`` placeholder (the form some docs use for ``{app_id}``)
_PATH_PART = r"(?:[^\s`'\"<>)]|<[A-Za-z_][\w-]*>)"
ENDPOINT = re.compile(
    rf"\b(GET|POST|PUT|PATCH|DELETE)\s+`?((?:https?://{_PATH_PART}+)|(?:/{_PATH_PART}*))"
)
CURL = re.compile(r"\bcurl\b(.*?)(https?://[^\s'\"<>]+)", re.DOTALL)
CURL_METHOD = re.compile(r"(?:-X|--request)\s+([A-Z]+)")
#: a placeholder in angle brackets inside a URL (``https://<subdomain>.example.com``); an
#: inline HTML tag (``<br>``, ``<sup>``) ends the URL instead
_ANGLED_PART = (
    r"<(?!(?:br|p|b|i|u|em|strong|sup|sub|span|a|code|div|td|tr|hr|small)>)[A-Za-z_][\w-]*>"
)
URL = re.compile(rf"https?://(?:[^\s`'\"<>)\]]|{_ANGLED_PART})+")

# --- types ---------------------------------------------------------------------------------------

_TYPE_WORDS: dict[str, str] = {
    "string": "string", "str": "string", "text": "string", "varchar": "string", "char": "string",
    "uuid": "string", "email": "string", "url": "string", "uri": "string", "enum": "string",
    "id": "string", "guid": "string", "html": "string", "markdown": "string",
    "integer": "bigint", "int": "bigint", "int32": "bigint", "int64": "bigint", "long": "bigint",
    "bigint": "bigint", "smallint": "bigint", "short": "bigint", "unsigned": "bigint",
    "number": "double", "float": "double", "double": "double", "numeric": "double",
    "real": "double", "float64": "double", "decimal": "decimal", "money": "decimal",
    "boolean": "boolean", "bool": "boolean",
    "date": "date",
    "timestamp": "timestamp", "datetime": "timestamp", "date-time": "timestamp",
    "time": "timestamp", "timestamptz": "timestamp", "iso8601": "timestamp", "instant": "timestamp",
    "object": "struct", "struct": "struct", "dict": "struct", "hash": "struct", "record": "struct",
    "json": "struct", "jsonb": "struct",
    "map": "map",
    "array": "array", "list": "array",
    "binary": "binary", "bytes": "binary", "blob": "binary",
}  # fmt: skip
_TYPE_TOKEN = re.compile(r"[a-z][a-z0-9_\-]*")
_ARRAY_OF = re.compile(
    r"^(?:array|list|set|sequence)\s*(?:<\s*(.+?)\s*>|\[\s*(.+?)\s*\]|\s+of\s+(.+))$"
)


#: suffixes of compound type names (``ISO8601DateTime``, ``Edm.Int64`` is a plain word);
#: short ones such as ``int`` or ``date`` are left out: ``point`` and ``update`` are no types
_TYPE_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("datetime", "timestamp"), ("timestamp", "timestamp"), ("integer", "bigint"),
    ("boolean", "boolean"), ("bool", "boolean"), ("double", "double"), ("float", "double"),
    ("decimal", "decimal"), ("string", "string"), ("object", "struct"),
)  # fmt: skip


def _type_word(word: str) -> str | None:
    """Spark type of one type word, including compounds like ``ISO8601DateTime``."""
    spark = _TYPE_WORDS.get(word)
    if spark is not None:
        return spark
    if word.endswith("type") and len(word) > 4:  # Spark's own names: LongType, StringType
        spark = _TYPE_WORDS.get(word[:-4])
        if spark is not None:
            return spark
    if word.startswith(("datetime", "timestamp")):  # DateTimeOffset, timestamp_ntz
        return "timestamp"
    for suffix, spark in _TYPE_SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix):
            return spark
    return None


@per_doc
def map_type(doc_type: str) -> tuple[str, str | None] | None:
    """Spark type (and array element type) for a doc type such as ``array<string>``.

    Returns None when no known type word appears.
    """
    t = doc_type.strip().strip("`*_").lower()
    if not t:
        return None
    t = re.sub(r"\b(nullable|optional|required|null|none|read-?only)\b", " ", t)
    t = t.replace("|", " ").replace("?", " ").replace("!", " ").strip(" ,;")
    if "iso 8601" in t or "iso-8601" in t or "rfc 3339" in t or "rfc3339" in t:
        if re.search(r"\bdate\b", t) and "time" not in t:
            return "date", None
        return "timestamp", None
    m = _ARRAY_OF.match(t)
    if m:
        inner = map_type(m.group(1) or m.group(2) or m.group(3) or "")
        return "array", (inner[0] if inner else "string")
    if t.endswith("[]"):
        inner = map_type(t[:-2])
        return "array", (inner[0] if inner else "string")
    if t.startswith("[") and "]" in t:  # GraphQL lists: [ColumnValue!]
        inner = map_type(t[1 : t.index("]")])
        return "array", (inner[0] if inner else "string")
    for word in _TYPE_TOKEN.findall(t):
        spark = _type_word(word)
        if spark is not None:
            if spark == "array":
                return "array", "string"
            return spark, None
    return None


# --- ingestion, pagination, auth --------------------------------------------------------------


@per_doc
def ingestion_from_text(text: str) -> str | None:
    """The ingestion type a label value or a sentence states, if any."""
    t = text.lower().replace("-", " ").replace("_", " ")
    if re.search(r"\bcdc with deletes\b|\b(?:incremental|cdc)\b.{0,20}\bdeletes?\b", t):
        return "cdc_with_deletes"
    if re.search(r"\bappend(?: only)?\b|\binsert only\b|\bincremental append\b", t):
        return "append"
    if re.search(r"\bsnapshot\b|\bfull (?:refresh|load|sync|table|reload)\b|\bfull\b", t):
        return "snapshot"
    if re.search(r"\bcdc\b|\bincremental\b|\bupsert\b|\bmerge\b|\bchange data capture\b", t):
        return "cdc"
    return None


PAGE_PROSE = re.compile(
    r"\bpag(?:e|es|ed|ing|inat\w*)\b|\bnext\b.{0,30}\b(?:url|link)\b|"
    r"\b(?:in|as) (?:one|a single) response\b",
    re.I,
)


_OFFSET_PAGING = re.compile(r"\boffset\b|\bskip\b|\bstart index\b")
_OFFSET_PAGING_PROSE = re.compile(
    r"\boffset(?: based| pagination| paging| parameter| param|=|` and| and (?:`?limit|count))|"
    r"`offset`|\b(?:limit|count)`? and `?offset\b|\bskip\b|\bstart index\b"
)


@per_doc
def pagination_from_text(text: str, *, prose: bool = False) -> str | None:
    """The pagination style a label value (or, with ``prose``, a sentence) names, if any."""
    t = text.lower().replace("_", " ").replace("-", " ")
    if re.search(
        r"\b(?:not paginated|no pagination|unpaginated|all of them at once|"
        r"single (?:page|response)|(?:in|as) one (?:page|response))\b",
        t,
    ):
        return "none"
    if not prose and re.search(r"^\W*(?:none|no|n/a)\b", t):
        return "none"
    if re.search(r"\blink header\b|\blink: <|\brfc ?5988\b|\brfc ?8288\b|`link`", t):
        return "link_header"
    if re.search(
        # "the cursor field" is what the records are ordered by, not how pages are found
        r"\bcursor\b(?!\s+(?:field|column|value)s?\b)|\bpage token\b|\bnext token\b|"
        r"\bcontinuation\b|\bstarting after\b|"
        r"\bpagetoken\b|\bnext page token\b|\bscroll id\b|\bbookmark\b|\bsince id\b",
        t,
    ):
        return "cursor"
    if re.search(r"\bnext (?:url|link|page url|href)\b|`next`|\bnext\b.{0,20}\burl\b", t):
        return "next_url"
    # In a sentence a bare "offset" is as often the connector's own read offset ("returns
    # a sentinel offset") as the API's paging; there it counts only as a way of paging.
    offset = _OFFSET_PAGING_PROSE if prose else _OFFSET_PAGING
    if offset.search(t):
        return "offset"
    if re.search(r"\bpage number\b|`page`|\bpage=|\bpage (?:parameter|param)\b", t) or (
        not prose and re.search(r"\bpage\b", t)
    ):
        return "page_number"
    return None


@per_doc
def auth_kind_from_text(text: str, *, is_label: bool = False) -> str | None:
    """The auth kind a label value (``is_label``) or a paragraph names, if any."""
    t = text.lower().replace("_", " ").replace("-", " ")
    if re.search(r"\bcustom\b", t) and is_label:
        return "custom"
    # a refresh token, where one is named, is what the grant runs on ("client credentials
    # (refresh token flow)"); "no refresh token" names none
    if re.search(r"(?<!\bno )\brefresh token\b", t) and "oauth" in t:
        return "oauth2_refresh_token"
    if re.search(r"\bclient credentials?\b", t) and "oauth" in t:
        return "oauth2_client_credentials"
    if re.search(r"\boauth ?2?\b", t):
        if "client secret" in t:
            return "oauth2_client_credentials"
        # "OAuth 2.0 bearer token": OAuth is how the token was got, the request carries it
        if re.search(r"\bbearer\b|\baccess token\b", t) and "refresh" not in t:
            return "bearer"
        return "oauth2_refresh_token"
    if re.search(r"\bbasic(?: auth\w*)?\b|\busername and password\b", t):
        return "basic"
    if re.search(r"\bbearer\b|\baccess token\b|\bpersonal (?:access )?token\b|\bapi token\b", t):
        return "bearer"
    if re.search(r"\bapi ?key\b|\bx api key\b|\bapp key\b", t):
        return "api_key"
    if is_label and re.search(r"^\W*(?:no|none|n/a|not required|public|anonymous)\b", t):
        return "none"
    if re.search(
        r"\bno (?:authentication|auth|credentials)\b|\bunauthenticated\b|"
        r"\bdoes not require (?:authentication|credentials)\b",
        t,
    ):
        return "none"
    if re.search(r"\btoken\b", t):
        return "bearer"
    return None


SECRET_NAME = re.compile(
    r"(token|secret|password|passwd|api[_-]?key|apikey|private[_-]?key|credential|auth)", re.I
)
YES = re.compile(
    r"^\s*(?:(?:yes|y|true|required|x|mandatory|secret|sensitive)\b|[✓✔\u2705\u2714])", re.I
)


def is_yes(text: str) -> bool:
    return bool(YES.match(text))


# --- prose about keys, cursors and ingestion -----------------------------------------------

PK_PROSE = re.compile(
    r"primary[ _-]?key|identified by|uniquely identif|unique (?:identifier|id|key)|keyed by|"
    r"\bunique\b|natural key|composite key|record key|is the key\b|serves as the key|\bpk\b",
    re.I,
)
CURSOR_PROSE = re.compile(
    r"incremental|cursor|replication key|watermark|changed since|modified since|"
    r"updated since|change tracking|high[ -]?water|\bsince\b|only (?:new|changed)|"
    r"last (?:sync|run)|sorted by|ordered by|order by|\bnewer\b|"
    r"(?:changed|modified|updated|created|booked|added) after",
    re.I,
)
APPEND_PROSE = re.compile(
    r"\bimmutable\b|append[ -]only|\bnever (?:be )?(?:changed?|updated|modified|edited|deleted)|"
    r"insert[ -]only|write[ -]once|cannot be (?:changed|modified|edited|updated)|"
    r"are not (?:updated|changed|modified) (?:after|once)",
    re.I,
)
SNAPSHOT_PROSE = re.compile(
    r"full (?:refresh|snapshot|reload)|no incremental|not support incremental|"
    r"cannot be read incrementally|no (?:cursor|updated|modified)",
    re.I,
)
DELETE_PROSE = re.compile(r"\bdelet|\btombstone|\bremoved\b", re.I)
SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z`*(])|;\s+")
IDENT = re.compile(r"^[A-Za-z_@$][\w.\-@$\[\]]*$")
CURSOR_NAMES = (
    "updated_at", "updatedat", "updated", "modified_at", "modifiedat", "modified",
    "last_modified", "lastmodified", "last_modified_at", "last_updated", "lastupdated",
    "date_modified", "changed_at", "updated_time", "modified_time", "update_time",
    "last_modified_date", "systemmodstamp", "last_modified_time", "time_updated",
)  # fmt: skip
APPEND_CURSOR_NAMES = (
    "created_at", "createdat", "created", "occurred_at", "timestamp", "ts", "event_time",
    "time", "date", "created_time", "creation_time", "logged_at", "inserted_at",
)  # fmt: skip
SINCE_PARAM = re.compile(
    r"^(?:updated|modified|changed|since|from|start|after|min|last)(?:[_\-.]?(?:since|after|"
    r"from|at|time|date|gte|gt|min|start|updated|modified))*$|since|_after$|_gte?$|\[gte?\]$",
    re.I,
)
DELETED_PARAM = re.compile(r"deleted|tombstone|include_removed|show_removed", re.I)
#: a parameter a deletes section says asks for deleted records: those, or `archived=true`
#: (as a query filter alone, "only archived repositories" is no delete feed)
DELETE_FLAG = re.compile(DELETED_PARAM.pattern + r"|archived", re.I)
#: "`a` or `b`": alternatives offered after a code span (its closing paren too)
OR_AFTER_CODE = re.compile(r"(?<=`)\)?\s+or\s+")


# --- names that are never a cursor ------------------------------------------------------

INGESTION_WORDS = {"cdc", "cdc_with_deletes", "snapshot", "append", "incremental"}
#: request parameters and response markers that bound or page a read, never a record field:
#: ``pageToken``, ``continuationToken``, ``limit``, ``end_time``, ``updatedAtFrom``
_NOT_CURSOR = re.compile(
    r"(?:page|token|limit|offset|continuation|per_?page|page_?size|max_?results|top|skip)$|"
    r"^(?:page|next|prev|end|limit|offset|count|since|from|to|until|before|after|start)"
    r"(?:_?(?:time|date|at|token|page|cursor|link|url))?$|"
    r"(?:from|to|until|before|after|since|_gte?|_lte?|_min|_max|start|end)$",
    re.I,
)


def is_cursor_name(name: str | None, avoid: set[str]) -> bool:
    """Whether ``name`` can be a cursor field: not a paging token, a window bound, the
    table's own name or an ingestion word."""
    if not name or name in avoid or name.lower() in avoid:
        return False
    return not _NOT_CURSOR.search(name.split(".")[-1])
