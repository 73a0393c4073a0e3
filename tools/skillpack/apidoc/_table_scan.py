"""Read one table's details from its blocks: endpoints, keys, cursor, ingestion, fields.

Stated facts win over inferred ones, in this order: a ``Label: value`` line (or a key/value
table row), a key or cursor column of the field table, a sentence in prose ("records are
identified by `id`"), and last a guess from field names and query parameters, which is then
listed in ``Table.inferred``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from skillpack.apidoc._extract import (
    code_names,
    codes_in,
    columns,
    endpoints_in_code,
    endpoints_in_text,
    field_from_item,
    fields_from_json,
    fields_from_table,
    identifiers,
    is_field_table,
    is_none_value,
    param_from_item,
    params_from_table,
    parse_item,
    plain,
    records_key_in_prose,
    records_key_of,
)
from skillpack.apidoc._sections import TableDraft
from skillpack.apidoc._vocab import (
    APPEND_PROSE,
    CURSOR_PROSE,
    DELETE_FLAG,
    ENDPOINT,
    IDENT,
    INGESTION_WORDS,
    OR_AFTER_CODE,
    PAGE_PROSE,
    PK_PROSE,
    SENTENCE_SPLIT,
    SNAPSHOT_PROSE,
    ingestion_from_text,
    is_cursor_name,
    map_type,
    pagination_from_text,
    per_doc,
    split_label,
)
from skillpack.apidoc.models import (
    HTTP_METHODS,
    Endpoint,
    Pagination,
    Param,
    TableField,
)

#: an OData-style filter asking for records past a value: ``$filter=eventTime gt datetime'...'``
_FILTER_SINCE = re.compile(r"[?&]\$?filter=([A-Za-z_][\w./]*)\s+(?:gt|ge)\s", re.I)
#: table headers naming query parameters, table options, request body fields; a field
#: table's "Filterable" or "Optional" column names none of them
_PARAM_HEADER = re.compile(r"\b(?:param(?:eter)?s?|query|filters?)\b")
_OPTION_HEADER = re.compile(r"(?<![a-z])options?(?![a-z])")
_BODY_HEADER = re.compile(r"(?<![a-z])body(?![a-z])")
#: a name bounded above in a filter (``... and eventTime le ...``)
_BOUNDED_ABOVE = re.compile(r"(?<![\w./$])([A-Za-z_][\w./]*)\s+(?:lt|le)\s", re.I)
#: a name that says it holds a time or a change (``eventTime``, ``lastModifiedAt``)
_TIME_NAME = re.compile(r"(?i)time|date|modified|updated|changed|(?:_at|[a-z]At)$")


def filtered_since(text: str) -> list[str]:
    """Fields a request in ``text`` filters to "greater than" a value: ``$filter=eventTime
    gt ...`` (also URL-encoded). Not those it also bounds above (``ge ... and x le ...``
    asks for a range, such as a year of incidents)."""
    out = []
    for raw in text.splitlines():
        if "filter" not in raw.lower():
            continue
        line = raw.replace("%20", " ").replace("+", " ").replace("%24", "$") + " "
        above = {m.group(1).lower() for m in _BOUNDED_ABOVE.finditer(line)}
        out.extend(
            m.group(1) for m in _FILTER_SINCE.finditer(line) if m.group(1).lower() not in above
        )
    return out


def is_time_like(name: str, fields: Sequence[TableField]) -> bool:
    """Whether field ``name`` holds a time: so typed in ``fields``, or (typed as no time, or
    not listed) so named."""
    typed = next((f.type for f in fields if f.name == name), None)
    if typed in ("timestamp", "date", "timestamp_ntz"):
        return True
    return typed in (None, "string") and bool(_TIME_NAME.search(name))


#: ``archived=true``: a query parameter, with its value, that asks for deleted records
_FLAG_QUERY = re.compile(r"^\??([A-Za-z_][\w.\-]*)=(\w+)$")
_NEGATED = re.compile(r"\b(?:not?|never|cannot|without|none)\b|n't\b", re.I)
OPTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_DELETE_PATH = re.compile(r"delet|tombstone|removed|deletions|trash", re.I)
SEARCH_PATH = re.compile(r"search|query|list|export|find", re.I)


@dataclass
class _Found:
    """What one pass over a table's blocks found."""

    description: str = ""
    name: str | None = None
    pk: list[str] | None = None
    pk_line: int | None = None
    cursor: str | None = None
    #: the names a cursor statement offers in its place ("`System.ChangedDate` or `rev`")
    cursor_alternatives: list[str] = field(default_factory=list)
    cursor_none: bool = False
    ingestion: str | None = None
    read: Endpoint | None = None
    delete_feed: Endpoint | None = None
    delete_feed_none: bool = False
    pagination: Pagination | None = None
    #: the response field the records sit under ("Response key: `tickets`")
    records_key: str | None = None
    #: the same, said in a sentence ("records are listed under `data`"): a label wins
    prose_records_key: str | None = None
    endpoints: list[tuple[Endpoint, str | None]] = field(default_factory=list)
    fields: list[TableField] = field(default_factory=list)
    query: list[Param] = field(default_factory=list)
    options: list[Param] = field(default_factory=list)
    body: list[Param] = field(default_factory=list)
    write: dict[str, Endpoint] = field(default_factory=dict)
    col_pk: list[str] = field(default_factory=list)
    col_cursor: list[str] = field(default_factory=list)
    prose_pk: list[tuple[list[str], int]] = field(default_factory=list)
    #: composite keys the prose writes as one list of names, "`(list_id, id)`"
    prose_composite: list[list[str]] = field(default_factory=list)
    prose_cursor: list[tuple[list[str], int]] = field(default_factory=list)
    prose_ingestion: str | None = None
    #: fields an example request asks for past a value (``$filter=eventTime gt ...``)
    filtered_since: list[str] = field(default_factory=list)
    append_hint: bool = False
    snapshot_hint: bool = False
    untyped: int = 0
    untyped_line: int | None = None
    example_fields: list[TableField] = field(default_factory=list)
    #: a line under a deletes heading says this table's deletes can be read
    deletes_stated: bool = False
    delete_flag: Param | None = None
    #: "HTTP method: POST" said before an "Endpoint:" that gives a bare path
    stated_method: str | None = None


#: the last segment of a path that describes a table rather than listing its records
_DESCRIBES = re.compile(r"/(?:\$?metadata|schemas?|describe)/?$", re.I)


def _first_endpoint(text: str, line: int, base_url: str | None) -> Endpoint | None:
    eps = endpoints_in_text(text, line, base_url)
    if eps:
        return eps[0]
    spans = codes_in(text) or [plain(text)]
    for span in spans:
        s = span.strip()
        if s.startswith("/") and " " not in s:
            return endpoints_in_text(f"GET {s}", line, base_url)[0]
    return None


def _apply_label(found: _Found, name: str, value: str, line: int, base_url: str | None) -> bool:
    """Record a ``Label: value``; True when the label was one a table uses."""
    if name == "primary_key":
        keys = identifiers(value)
        if keys and found.pk is None:
            found.pk, found.pk_line = keys, line
        return True
    if name == "cursor":
        if is_none_value(value):
            found.cursor_none = True
        elif found.cursor is None:
            names = identifiers(value)
            if names:
                found.cursor = names[0]
                if OR_AFTER_CODE.search(value):
                    found.cursor_alternatives = names[1:]
        return True
    if name == "ingestion":
        found.ingestion = found.ingestion or ingestion_from_text(value)
        return True
    if name == "pagination":
        style = pagination_from_text(value)
        if style and found.pagination is None:
            found.pagination = Pagination(style=style, description=plain(value), line=line)  # type: ignore[arg-type]
        return True
    if name == "records_key":
        key = records_key_of(value)
        if key and found.records_key is None:
            found.records_key = key
        return True
    if name == "delete_feed":
        if is_none_value(value):
            found.delete_feed_none = True
            return True
        ep = _first_endpoint(value, line, base_url)
        if ep is not None and ep.method == "DELETE":
            found.write.setdefault("delete", ep)
        elif ep is not None and found.delete_feed is None:
            found.delete_feed = ep
        return True
    if name == "http_method":
        verb = value.strip("`* ").upper()
        found.stated_method = verb if verb in HTTP_METHODS else None
        return True
    if name in ("read_endpoint", "base_url"):
        ep = _first_endpoint(value, line, base_url)
        if ep is not None and found.stated_method and not ENDPOINT.search(value):
            ep = ep.model_copy(update={"method": found.stated_method})
        found.stated_method = None
        # an endpoint that describes the table (its metadata, its schema) yields to one
        # stated after it, which lists the records
        if ep is not None and (found.read is None or _DESCRIBES.search(found.read.path)):
            if ep.method == "GET" or name == "read_endpoint":
                found.read = ep
            return True
        return name == "read_endpoint"
    if name in ("insert", "update", "write_delete"):
        ep = _first_endpoint(value, line, base_url)
        if ep is not None:
            key = {"insert": "insert", "update": "update", "write_delete": "delete"}[name]
            found.write.setdefault(key, ep)
        return True
    if name == "table_name":
        names = identifiers(value)
        if names:
            found.name = found.name or names[0]
        return True
    if name == "description":
        found.description = found.description or plain(value)
        return True
    return False


#: a word every match of APPEND_PROSE / SNAPSHOT_PROSE holds (one search for any of them
#: is far cheaper than the patterns, and than a loop of ``in`` tests)
_APPEND_WORD = re.compile(r"immutable|append|never|insert|write|cannot be|are not")
_SNAPSHOT_WORD = re.compile(r"full|incremental|no cursor|no updated|no modified")


_ASIDE_ALTERNATIVE = re.compile(r"\((?:(?:or|alternatively|eg|for example)\b|e\.g\.)[^)]*\)", re.I)

_PREDICATE = re.compile(r"^[A-Za-z_]\w*\((\s*\w+\s*=[^,()=]*(?:,\s*\w+\s*=[^,()=]*)*)\)$")


def _key_predicate(codes: list[str]) -> list[str]:
    """The key fields an OData key predicate names (``Entity(a=1,b='x')``), if a code is one."""
    for code in codes:
        m = _PREDICATE.match(code.strip())
        if m:
            return re.findall(r"(\w+)\s*=", m.group(1))
    return []


_HEDGE = re.compile(r"\b(?:could|might|optionally|alternatively|if needed)\b")

# The same patterns on lower-cased text: a case-blind alternation is several times slower.
_PK_LOW = re.compile(PK_PROSE.pattern)
_CURSOR_LOW = re.compile(CURSOR_PROSE.pattern)


# The same pattern on lower-cased text: a case-blind alternation is several times slower.
_PAGE_LOW = re.compile(PAGE_PROSE.pattern)


class _ProseFacts(NamedTuple):
    """What one text says in prose."""

    pk: tuple[tuple[str, ...], ...]  # key spans, one group per sentence naming a key
    cursor: tuple[tuple[str, ...], ...]  # cursor spans, likewise
    ingestion: str | None  # an ingestion word in a code span
    append: bool  # a hint the table only grows
    snapshot: bool  # a hint the table is read whole
    composite: tuple[tuple[str, ...], ...]  # keys written as one list of names
    records_key: str | None  # where list responses keep their records
    paging: bool  # whether it speaks of pages


@per_doc
def _prose_facts(text: str) -> _ProseFacts:
    """What one text says in prose (see `_ProseFacts`). Cached: an aspect block is read
    once per table it concerns."""
    low = text.lower()
    append = bool(_APPEND_WORD.search(low) and APPEND_PROSE.search(text))
    snapshot = bool(_SNAPSHOT_WORD.search(low) and SNAPSHOT_PROSE.search(text))
    paging = _PAGE_LOW.search(low) is not None
    if "`" not in text:  # every other fact is named in a code span
        return _ProseFacts((), (), None, append, snapshot, (), None, paging)
    pk: list[list[str]] = []
    composite: list[list[str]] = []
    cursor: list[list[str]] = []
    ingestion = None
    for sentence in SENTENCE_SPLIT.split(text):
        if "`" not in sentence:
            continue
        # "(or `login`)", "(e.g. `42`)": an aside offering an alternative or an example
        plain_sentence = _ASIDE_ALTERNATIVE.sub("", sentence)
        spans = code_names(codes_in(plain_sentence))
        lowered = sentence.lower()
        predicate = _key_predicate(codes_in(plain_sentence)) if "(" in sentence else []
        if predicate and _PK_LOW.search(lowered):
            # "key format: `Orders(orderId='{orderId}',line={line})`": OData's key
            # predicate names every key field
            pk.append(predicate)
            composite.append(predicate)
            continue
        if not spans:
            continue
        if _PK_LOW.search(lowered):
            # "keyed by `(a, b)` or `id` plus ...": the first of two alternatives
            first = codes_in(OR_AFTER_CODE.split(plain_sentence, maxsplit=1)[0])
            pk.append(code_names(first) or spans)
            # a key written as one list of names, "`(list_id, id)`", is a composite;
            # one the words before it only offer ("could be `(a, b)`") is not
            composite += [
                names
                for c in first
                if c.lstrip().startswith(("(", "["))
                and len(names := code_names([c])) > 1
                and not _HEDGE.search(plain_sentence[: plain_sentence.find(c)].lower())
            ]
        if _CURSOR_LOW.search(lowered):
            cursor.append(spans)
        if ingestion is None:
            for span in codes_in(sentence):
                s = span.strip().lower()
                if s in ("snapshot", "cdc", "cdc_with_deletes", "append"):
                    ingestion = s
    return _ProseFacts(
        tuple(map(tuple, pk)),
        tuple(map(tuple, cursor)),
        ingestion,
        append,
        snapshot,
        tuple(map(tuple, composite)),
        records_key_in_prose(text),
        paging,
    )


def _prose(found: _Found, text: str, line: int) -> None:
    facts = _prose_facts(text)
    if facts.pk:
        found.prose_pk.extend((list(spans), line) for spans in facts.pk)
    if facts.composite:
        found.prose_composite.extend(list(spans) for spans in facts.composite)
    if facts.cursor:
        found.prose_cursor.extend((list(spans), line) for spans in facts.cursor)
    if found.prose_ingestion is None:
        found.prose_ingestion = facts.ingestion
    found.append_hint = found.append_hint or facts.append
    found.snapshot_hint = found.snapshot_hint or facts.snapshot
    if found.prose_records_key is None:
        found.prose_records_key = facts.records_key


def _read_table_block(
    found: _Found, block, ctx: str | None, base_url: str | None, nested: str | None = None
) -> None:
    cols = columns(block)
    header = " ".join(cols.header)
    if cols.name < 0 and len(block.header) == 2:
        # A two-column key/value table: treat each row as a ``Label: value`` line.
        for row, line in zip(block.rows, block.row_lines, strict=False):
            if len(row) >= 2:
                lbl = split_label(f"{plain(row[0].text)}: {row[1].text}")
                if lbl:
                    _apply_label(found, lbl[0], lbl[1], line, base_url)
        return
    if ctx == "options" or _OPTION_HEADER.search(header):
        found.options.extend(params_from_table(block))
    elif ctx == "write" or _BODY_HEADER.search(header):
        found.body.extend(params_from_table(block))
    elif ctx == "query" or _PARAM_HEADER.search(header):
        found.query.extend(params_from_table(block))
    elif ctx == "deletes" and not is_field_table(block):
        return
    elif nested is not None and (is_field_table(block) or cols.name >= 0):
        if nested == _VARYING:
            return  # keys that come and go: samples, not a schema (the object stays JSON)
        # the sub-fields of an object or array field the lead-in named: `variants.sku`
        for fld in fields_from_table(block).fields:
            found.fields.append(fld.model_copy(update={"name": f"{nested}.{fld.name}"}))
    elif is_field_table(block) or (ctx == "fields" and cols.name >= 0):
        rows = fields_from_table(block)
        found.fields.extend(rows.fields)
        for fld in rows.fields:
            _prose_field(found, fld)
        found.col_pk.extend(rows.pk)
        found.col_cursor.extend(rows.cursor)
        if rows.untyped:
            found.untyped += rows.untyped
            found.untyped_line = found.untyped_line or block.line


#: a lead-in saying the next table lists a field's own fields ("Nested: `variants` array")
_NESTED_LEAD = re.compile(
    r"\bnested\b|\beach (?:element|item|entry)\b|\bsub-?fields\b|\belements? of\b"
)


#: an object whose keys differ from record to record ("Dynamic field collection", "actual
#: fields vary by work item type"): no fixed struct holds it, so it is kept as JSON text
_VARYING_WORDS = re.compile(
    r"\bdynamic\b|\bvar(?:y|ies)\b|\barbitrary\b|\bfree[- ]form\b"
    r"|\bkeyed by (?:the )?(?:field|name)"
)
#: what ``_nested_lead`` gives for such an object: the table after it lists no sub-fields
_VARYING = "\0varying"


def _nested_lead(found: _Found, block) -> str | None:
    """The array or object field a short lead-in paragraph introduces, if it names one;
    ``_VARYING`` when the lead-in or the field says its keys vary."""
    if block.kind not in ("para", "item") or len(block.text) > 120 or "`" not in block.text:
        return None
    low = block.text.lower()
    if not _NESTED_LEAD.search(low):
        return None
    by_name = {f.name: f for f in found.fields}
    for code in codes_in(block.text):
        fld = by_name.get(code)
        if fld is None or fld.type not in ("array", "struct"):
            continue
        if fld.type == "struct" and _VARYING_WORDS.search(f"{low} {fld.description.lower()}"):
            return _VARYING
        return code
    return None


#: an item stating a fact of the connector contract, "**Primary key for `apps`**: `app_id`"
_STATES_FACT = re.compile(
    r"^\W*(?:primary[ _-]?keys?|pk|cursor(?: field)?|ingestion(?: type)?)\b", re.I
)


def scan(draft: TableDraft, base_url: str | None) -> _Found:
    """One pass over a table's blocks."""
    found = _Found()
    stack: list[tuple[int, str]] = []  # (list depth, field path) for nested bullet fields
    nested: str | None = None  # an object field whose sub-fields the next table lists
    # list depth of an item stating a fact ("Primary key for `apps`: `app_id`"): the items
    # under it ("Type: string") describe that fact, not fields
    fact_depth: int | None = None
    param_depth: int | None = None  # list depth of the last parameter item
    for block, ctx in draft.blocks:
        kind = block.kind
        if kind == "table":
            _read_table_block(found, block, ctx, base_url, nested)
            nested = None
            continue
        nested = _nested_lead(found, block)
        if kind != "item":
            param_depth = None  # a list of parameters ends with the list
        if kind == "code":
            for ep in endpoints_in_code(block, base_url):
                found.endpoints.append((ep, ctx))
            found.filtered_since.extend(filtered_since(block.text))
            _metadata_example(found, block)
            if not found.example_fields and block.info.lower() in ("", "json", "javascript"):
                found.example_fields = fields_from_json(block)
            continue
        text, line = block.text, block.line
        if kind != "item" or (fact_depth is not None and block.depth <= fact_depth):
            fact_depth = None  # the list under the fact has ended
        if kind == "item" and block.depth and _STATES_FACT.match(text):
            fact_depth = block.depth  # (a summary row's restated facts have no depth)
        if "\n" in text and _label_lines(found, text, line, base_url):
            continue
        lbl = split_label(text)
        if lbl and _apply_label(found, lbl[0], lbl[1], line, base_url):
            continue
        if (
            kind == "item"
            and ctx in (None, "fields")
            and fact_depth is None
            and _looks_like_field(text, ctx, stack)
        ):
            while stack and stack[-1][0] >= block.depth:
                stack.pop()
            prefix = f"{stack[-1][1]}." if stack else ""
            fld = field_from_item(text, line, prefix)
            if fld is not None:
                found.fields.append(fld)
                stack.append((block.depth, fld.name))
                if not fld.doc_type:
                    found.untyped += 1
                    found.untyped_line = found.untyped_line or line
                _prose_field(found, fld)
                continue
        elif kind == "item" and ctx in ("query", "options", "write"):
            if param_depth is not None and block.depth > param_depth:
                continue  # an item under a parameter tells of it (its values, a caveat)
            prm = param_from_item(text, line)
            param_depth = block.depth if prm is not None else None
            if prm is not None:
                target = {"query": found.query, "options": found.options, "write": found.body}
                target[ctx].append(prm)  # type: ignore[index]
                continue
        for ep in endpoints_in_text(text, line, base_url):
            found.endpoints.append((ep, ctx))
        if ctx == "deletes" and not _NEGATED.search(text):
            found.deletes_stated = True
        if ctx == "deletes" and found.delete_flag is None and not _NEGATED.search(text):
            # "supports `archived=true` queries": the read endpoint, asked for deleted records
            flag = next(
                (
                    m
                    for c in codes_in(text)
                    if (m := _FLAG_QUERY.match(c)) and DELETE_FLAG.search(m.group(1))
                ),
                None,
            )
            if flag is not None:
                found.delete_flag = Param(name=flag.group(1), value=flag.group(2), line=line)
        if found.pagination is None and (ctx == "pagination" or _prose_facts(text).paging):
            style = pagination_from_text(text, prose=ctx != "pagination")
            if style:
                found.pagination = Pagination(style=style, description=plain(text), line=line)  # type: ignore[arg-type]
        _prose(found, text, line)
        if (
            not found.description
            and kind == "para"
            and ctx is None
            and not text.endswith(":")
            and "GET" not in text
        ):
            found.description = plain(text)[:500]
    return found


def _metadata_example(found: _Found, block) -> None:
    """``{"primary_keys": ["order_id"], "cursor_field": "updated_at"}``: an example of the
    table's metadata states its key and cursor as plainly as a label does."""
    text = block.text
    if '"primary_key' not in text and '"cursor_field"' not in text:
        return
    try:
        data = json.loads(text)
    except ValueError:
        return
    if isinstance(data, dict) and isinstance(data.get("metadata"), dict):
        data = data["metadata"]  # a response that wraps it: {"metadata": {...}}
    if not isinstance(data, dict):
        return
    keys = data.get("primary_keys", data.get("primary_key"))
    if isinstance(keys, str):
        keys = [keys]
    if isinstance(keys, list) and found.pk is None:
        names = [k for k in keys if isinstance(k, str) and IDENT.match(k)]
        if names and len(names) == len(keys):
            found.pk, found.pk_line = names, block.line
    cursor = data.get("cursor_field")
    if isinstance(cursor, str) and IDENT.match(cursor) and found.cursor is None:
        found.cursor = cursor
    elif "cursor_field" in data and cursor is None:
        found.cursor_none = True


def _label_lines(found: _Found, text: str, line: int, base_url: str | None) -> bool:
    """Read a paragraph of several ``Label: value`` lines; False if its first line is prose."""
    lines = text.split("\n")
    if split_label(lines[0]) is None:
        return False
    for offset, part in enumerate(lines):
        lbl = split_label(part)
        if lbl:
            _apply_label(found, lbl[0], lbl[1], line + offset, base_url)
    return True


#: the contract's own words: a list item named so states a table's metadata, not a column
_CONTRACT_WORDS = {"primary_keys", "primary_key", "cursor_field", "ingestion_type"}


def _looks_like_field(text: str, ctx: str | None, stack: list[tuple[int, str]]) -> bool:
    """A list item is a field under a fields heading, under a field, or when it has a type;
    never one naming a fact of the connector contract (``primary_keys``: ...)."""
    parsed = parse_item(text)
    if parsed and parsed[0].lower() in _CONTRACT_WORDS:
        return False
    if ctx == "fields" or stack:
        return True
    return bool(parsed and parsed[1] and map_type(parsed[1]))


def _prose_field(found: _Found, fld: TableField) -> None:
    desc = fld.description.lower()
    if "primary key" in desc or "unique identifier" in desc:
        found.col_pk.append(fld.name)


def pick(candidates: list[tuple[list[str], int]], names: set[str], avoid: set[str]) -> list[str]:
    for spans, _line in candidates:
        chosen = [s for s in spans if (not names or s in names) and s not in avoid]
        if chosen:
            return chosen
    return []


def cursor_candidates(names: list[str], fields: list[TableField]) -> list[str]:
    """Fields that could order records: named in prose about cursors, else timestamps."""
    stamps = [f.name for f in fields if f.type in ("timestamp", "date")]
    return [n for n in names if n] + stamps


def found_cursor_candidates(found: _Found, fields: list[TableField]) -> list[str]:
    """Names the doc offered for the cursor: those among the fields (and the time fields);
    when the fields offer none, every name the prose offers (a field list may be partial:
    the to-do still shows them)."""
    spans = [x for spans, _ in found.prose_cursor for x in spans]
    named = [found.cursor or "", *found.col_cursor, *spans]
    avoid = INGESTION_WORDS | {p.name for p in found.query}
    named = [n for n in named if is_cursor_name(n, avoid)]
    field_names = {f.name for f in fields}
    if field_names:
        in_fields = [n for n in named if n in field_names]
        stamps = any(f.type in ("timestamp", "date") for f in fields)
        named = in_fields if in_fields or stamps else named
    return cursor_candidates(named, fields)


def is_delete_path(ep: Endpoint) -> bool:
    return bool(_DELETE_PATH.search(ep.path))
