"""The doc's own list of tables, and the facts it states once for every table.

Most API docs name their tables once, in an object list ("Object List", "Tables",
"Supported objects"): a Markdown table whose first name-like column holds the names, a bullet
list led by code spans, a comma-separated run of names, or a JSON example of a discovery
response. When a doc has such a list it is the authority: headings elsewhere ("Known quirks",
"Retrieving schemas via the API") are details, not tables. The same section says whether the
list is static or discovered at run time.

Docs also state facts once for all tables ("every object's primary key is `id`", "all
resources use CDC ingestion"); ``doc_defaults`` reads those so tables without their own
statement inherit them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from skillpack.apidoc._extract import field_from_item, plain
from skillpack.apidoc._tree import Block, Section
from skillpack.apidoc._vocab import (
    IDENT,
    INGESTION_WORDS,
    alnum_key,
    ingestion_from_text,
    is_cursor_name,
    map_type,
    per_doc,
)
from skillpack.apidoc.models import Param, TableField

#: sections that list the tables
LIST_TITLE = re.compile(
    r"\b(object list|objects? list|list of (?:objects|tables|streams|entities|resources)|"
    r"(?:connector |supported |available |exposed )?tables|"
    r"(?:supported|available|exposed) (?:objects|streams|entities|resources|reports|modules))\b"
)
#: sub-sections of an object list that do not add tables
_SKIP_SUB = re.compile(
    r"deferred|exclu|not (?:yet )?(?:supported|implemented|included|in scope)|out of scope|"
    r"future|hierarch|discovering|mapping|concept|decision|handling|example|sample|"
    r"strateg|relationship|notes?\b|per[- ]table options|options|quirk"
)
_NAME_HEADER = re.compile(
    r"^(?:connector |api )?(?:table|object|stream|entity|resource|report|module|dataset|collection)"
    r"s?(?: ?(?:name|type))?(?: \(.*\))?$|^(?:api |table |object )?name$"
)
_EXCLUDE_HEADER = re.compile(r"recommended|supported|in scope|included|status")
_EXCLUDED = re.compile(
    r"^\W*(?:no\b|used internally|internal(?: only)?\b|not (?:supported|included)|deferred|"
    r"out of scope)",
    re.I,
)
#: words in any cell of a row that take the row out of the list
_EXCLUDED_ANYWHERE = re.compile(
    r"^\W*(?:used internally|internal only|not supported|deferred|out of scope)", re.I
)
_TABLEISH = re.compile(
    r"\b(?:tables?|objects?|streams?|resources?|entit(?:y|ies)|reports?|modules?|endpoints?|"
    r"collections?|datasets?|feeds?|kinds?)\b",
    re.I,
)
_LED_BY_CODE = re.compile(r"^`([^`]+)`\s*(?:\([^)]*\)\s*)?(?:$|[:\u2013\u2014,]|-\s|\s-)")
_STATIC = re.compile(r"\bstatic\b|\bnot (?:discovered|retrieved)\b|\bfixed set\b", re.I)
_DISCOVERED = re.compile(
    r"\bdynamic(?:ally)?\b|\bdiscovered\b|\bdiscoverable\b|\bat run ?time\b|"
    r"\bnot configured statically\b",
    re.I,
)
_DISCOVERY_TITLE = re.compile(r"\bdiscovery\b")
_LIST_KEYS = ("tables", "objects", "streams", "resources", "entities", "names", "value")


@dataclass
class Declared:
    """Tables an object list names, in order, with their lines."""

    names: list[tuple[str, int]] = field(default_factory=list)
    #: ``static``, ``discovered`` (the doc says the list comes from the API) or ``unknown``
    kind: str = "unknown"
    line: int | None = None
    #: paragraphs and items of the list's sections, where doc-wide facts are often stated
    blocks: list[Block] = field(default_factory=list)
    #: ingestion type a group heading states for the tables under it ("Snapshot tables")
    ingestion: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: the list item that declared a table, when it says more than the name
    #: (``- `teams` — `GET /teams` ``)
    items: dict[str, Block] = field(default_factory=dict)
    #: the names already in ``names``: a list of hundreds of tables stays linear
    seen: set[str] = field(default_factory=set)

    def add(self, name: str, line: int) -> None:
        name = name.strip()
        if name and name not in self.seen and IDENT.match(name) and "." not in name:
            self.seen.add(name)
            self.names.append((name, line))


#: a table name written without a code span: one word with a capital inside or an underscore
#: (a lower-case letter somewhere: "URL" is a word)
_BARE_NAME = re.compile(r"^(?=.*[a-z])[A-Za-z][a-z0-9]*[A-Z_][A-Za-z0-9_]*$")


def _name_column(block: Block) -> int:
    """The column of table names: a name-like header, the one with most code spans."""
    headers = [" ".join(plain(c.text).lower().replace("_", " ").split()) for c in block.header]
    candidates = [i for i, h in enumerate(headers) if _NAME_HEADER.match(h)]
    if not candidates:
        return -1

    def code_share(i: int) -> int:
        # names in code spans, or written bare as identifiers ("cust_grievances"), beat
        # display names ("Grievances records") in a column beside them
        return sum(
            1
            for row in block.rows
            if i < len(row)
            and (
                (row[i].codes and IDENT.match(row[i].codes[0]))
                or (not row[i].codes and _BARE_NAME.match(plain(row[i].text).strip()))
            )
        )

    # a header that says "table" ("Object (table)") names the tables, whatever is beside it
    return max(candidates, key=lambda i: ("table" in headers[i], code_share(i), -i))


def _from_table(block: Block, out: Declared) -> None:
    col = _name_column(block)
    if col < 0:
        return
    headers = [plain(c.text).lower() for c in block.header]
    gates = [i for i, h in enumerate(headers) if i != col and _EXCLUDE_HEADER.search(h)]
    for row, line in zip(block.rows, block.row_lines, strict=False):
        if col >= len(row):
            continue
        cell = row[col]
        if not any(c.text.strip() for i, c in enumerate(row) if i != col):
            continue  # a group row such as "**Activities**"
        if any(g < len(row) and _EXCLUDED.match(plain(row[g].text)) for g in gates):
            continue
        if any(_EXCLUDED_ANYWHERE.match(plain(c.text)) for i, c in enumerate(row) if i != col):
            continue
        name = cell.codes[0] if cell.codes else plain(cell.text).strip(" *")
        if IDENT.match(name):
            out.add(name, line)


def _from_paragraph(block: Block, out: Declared) -> None:
    """``Patient, Observation, Condition`` after a lead-in line: a run of bare names."""
    text = block.text
    if ":" in text:
        head, _, text = text.rpartition(":")
        if not _TABLEISH.search(head):
            return
    parts = [p.strip(" `.") for p in re.split(r"[,\n]", text) if p.strip(" `.")]
    if len(parts) >= 3 and all(IDENT.match(p) for p in parts):
        for p in parts:
            out.add(p, block.line)


def _from_json(block: Block, out: Declared) -> None:
    """``{"tables": ["products", "events"]}``: a discovery response lists the names."""
    text = block.text.strip()
    if not text.startswith(("{", "[")) or len(text) > 20_000:
        return
    try:
        data = json.loads(text)
    except ValueError:
        return
    names = data if isinstance(data, list) else None
    if isinstance(data, dict):
        for key in _LIST_KEYS:
            if isinstance(data.get(key), list):
                names = data[key]
                break
    if names and all(isinstance(n, str) for n in names):
        lines = block.text.splitlines()
        for n in names:
            # The fence is the block's line; the name sits on a line inside it.
            at = next((i for i, ln in enumerate(lines) if f'"{n}"' in ln), 0)
            out.add(n, block.line + 1 + at)


def _read_blocks(blocks: list[Block], out: Declared) -> None:
    lead_ok = True
    for b in blocks:
        if b.kind == "para" and b.depth == 0:
            text = b.text.rstrip()
            if text.endswith(":"):
                # "Common dimensions:" introduces a list of something else.
                lead_ok = bool(_TABLEISH.search(text))
            else:
                _from_paragraph(b, out)
                lead_ok = True
            continue
        if b.kind == "table":
            _from_table(b, out)
        elif b.kind == "item" and lead_ok and b.depth <= 1:
            m = _LED_BY_CODE.match(b.text)
            if m:
                out.add(m.group(1), b.line)
                if b.text.strip() != f"`{m.group(1)}`":
                    out.items.setdefault(m.group(1), b)
        elif b.kind == "code" and b.info.lower() in ("", "json"):
            _from_json(b, out)


def _kind(texts: list[str]) -> str:
    joined = " ".join(texts)
    if _STATIC.search(joined):
        return "static"
    if _DISCOVERED.search(joined):
        return "discovered"
    return "unknown"


def declared_tables(root: Section) -> Declared:
    """The tables the doc's object list names, and whether that list is static."""
    out = Declared()
    prose: list[str] = []
    for sec in root.walk():
        title = sec.title.lower()
        if sec.level == 0:
            continue
        if _DISCOVERY_TITLE.search(title) and not LIST_TITLE.search(title):
            prose.extend(b.text for b in sec.blocks if b.kind == "para")
            continue
        if not LIST_TITLE.search(title) or _SKIP_SUB.search(title):
            continue
        if (
            sec.parent is not None
            and sec.parent.level
            and LIST_TITLE.search(sec.parent.title.lower())
        ):
            continue  # read with its parent
        out.line = out.line or sec.line
        prose.extend(b.text for b in sec.blocks if b.kind == "para")
        out.blocks.extend(sec.blocks)
        _read_blocks(sec.blocks, out)
        for child in sec.children:
            if _SKIP_SUB.search(child.title.lower()):
                continue
            before = len(out.names)
            for sub in child.walk():
                _read_blocks(sub.blocks, out)
            stated = ingestion_from_text(child.title)
            if stated is not None:
                for name, _ in out.names[before:]:
                    out.ingestion[name] = (stated, child.line)
    out.kind = _kind(prose)
    return out


# --- facts stated once for every table ---------------------------------------------------

_EVERY = re.compile(
    r"\b(?:every|all|each)\b[^.`]{0,40}?\b(?:objects?|tables?|resources?|streams?|records?|"
    r"entit(?:y|ies)|endpoints?|modules?|kinds?)\b|\bfor all\b|\bacross all\b",
    re.I,
)
_PK_WORDS = re.compile(r"primary[ _-]?keys?|\bpk\b|\bthe unique identifier\b", re.I)
#: "the WebID serves as the unique identifier for all objects": a key named without a code
#: span, as the subject of the sentence
_KEY_SUBJECT = re.compile(
    r"\b([A-Za-z_][A-Za-z0-9_.]*)\s+(?:serves as|acts as|is)\s+the\s+"
    r"(?:unique identifier|primary[ _-]?key)"
)


def _key_subject(sentence: str) -> list[str]:
    """The name a key-for-all sentence gives its key in plain text; only a word that looks
    like a field name (``WebID``, ``record_id``, ``id``), not "This" or "which"."""
    m = _KEY_SUBJECT.search(sentence)
    if m is None:
        return []
    word = m.group(1)
    looks = (
        (any(c.isupper() for c in word[1:]) and any(c.islower() for c in word))
        or "_" in word
        or word.lower() in ("id", "uuid")
    )
    return [word] if looks else []


_CURSOR_WORDS = re.compile(r"\bcursor\b|\bincremental\b", re.I)


#: "Cursor field: `x`" or "Cursor field for incremental tables: `x`"
_CURSOR_LABEL = re.compile(
    r"^(?:incremental )?cursor(?: field| column)?(?: for [^:`]{1,40})?\s*:\s*(.+)$", re.I | re.S
)


@dataclass
class Defaults:
    """Facts stated once for all tables, each with its line."""

    pk: tuple[list[str], int] | None = None
    ingestion: tuple[str, int] | None = None
    cursor: tuple[str, int] | None = None
    #: the doc-wide cursor holds only where a table has the field ("where the module
    #: exposes it")
    cursor_where_present: bool = False
    #: fields the doc says order changes, then the change-time fields it names most often
    #: (``updatedAt``): guesses for an incremental table whose own section names no cursor
    usual_cursors: list[tuple[str, int]] = field(default_factory=list)


#: names of a record's last-change time, compared without case and ``_``
_CHANGE_TIME = re.compile(
    r"^(?:last)?(?:updated?|modif(?:y|ied)|changed?|edited)(?:at|on|time|date|datetime|"
    r"timestamp)?$"
)


@per_doc
def is_change_time(name: str) -> bool:
    """Whether a field's name says it holds the record's last-change time."""
    return bool(_CHANGE_TIME.match(alnum_key(name)))


#: "`historyId`: Monotonically increasing; use for cursor comparison": a field the doc says
#: orders changes, in a line of its own about that field
_ORDERING_FIELD = re.compile(r"^\**`([^`]+)`\**\s*(?::|\s[-\u2013\u2014]\s)(.*)$", re.S)
_ORDERS_WORDS = re.compile(r"\bcursor\b|\bmonoton", re.I)


#: "All resources share common fields:", "Every object has these fields:": a lead-in to
#: the fields every table's records carry
_COMMON_FIELDS = re.compile(
    r"\b(?:all|every)\b[^.:]{0,40}?"
    r"\b(?:resource|table|object|record|entit(?:y|ies)|stream|endpoint|type|kind)s?\b"
    r"[^.:]{0,30}?\b(?:share|have|has|carry|carries|include)\b[^.:]{0,30}?\bfields?\b[^.]*:\s*$",
    re.I,
)


def common_fields(blocks: list[Block]) -> list[TableField]:
    """The fields a list under a lead-in about every table names ("All resources share
    these fields:"), in order; items under an item are its parts, not fields of their own."""
    out: list[TableField] = []
    depth: int | None = None  # of the list's items (-1 until its first); None: no such list
    for b in blocks:
        if b.kind == "para":
            depth = -1 if _COMMON_FIELDS.search(b.text) else None
        elif b.kind == "item" and depth is not None:
            depth = b.depth if depth == -1 else depth
            if b.depth == depth and (fld := field_from_item(b.text, b.line, "")) is not None:
                out.append(fld)
        else:
            depth = None
    return out


def usual_cursors(blocks: list[Block]) -> list[tuple[str, int]]:
    """Candidate cursors for an incremental table whose own words name none, best first,
    each with its first line: fields a line of their own says order changes, then the
    change-time fields named in code spans, the most often named first."""
    stated: dict[str, int] = {}
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for b in blocks:
        if b.kind in ("para", "item") and b.text.startswith(("`", "*")):
            m = _ORDERING_FIELD.match(b.text)
            if (
                m
                and IDENT.match(m.group(1))
                and _ORDERS_WORDS.search(m.group(2))
                and is_cursor_name(m.group(1), INGESTION_WORDS)
            ):
                stated.setdefault(m.group(1), b.line)
        for code in b.codes:
            if is_change_time(code) and IDENT.match(code) and "." not in code:
                counts[code] = counts.get(code, 0) + 1
                first.setdefault(code, b.line)
    by_count = sorted(counts, key=lambda c: (-counts[c], first[c]))
    return [*stated.items(), *((c, first[c]) for c in by_count if c not in stated)]


#: what a lead-in that only names things says besides the names: "**For `a` (append)**:"
_LEAD_FILLER = re.compile(r"`[^`]*`|\([^)]*\)|[*_:,/&]|\b(?:for|the|and|table|tables)\b", re.I)


def _names_only_lead(text: str) -> bool:
    """Whether a paragraph is a lead-in naming its subjects and nothing else ("For `issues`:"),
    so the lines after it speak of them alone; "For modules with `cdc` ingestion type:" and
    "For `installs_report` and event reports:" describe groups, so their lines are general."""
    t = text.rstrip()
    return "`" in t and t.rstrip("*").endswith(":") and not _LEAD_FILLER.sub("", t).strip()


#: a doc-wide fact said to hold only where a table has the field
_WHERE_PRESENT = re.compile(
    r"\b(?:where|when|if)\b[^.;]{0,30}\b(?:exposes?|has|have|present|available|exists?)\b", re.I
)


def doc_defaults(blocks: list[Block]) -> Defaults:
    """``Primary key for all resources: `id` `` and the like, from the given blocks; a
    ``Cursor field: `x` `` line outside any table's section also counts."""
    out = Defaults()
    # Labelled cursors outside any table's section: one speaks for every table; several
    # different ones are per-table statements under lead-ins ("For `commits`:") instead.
    labelled: list[tuple[str, int]] = []
    led = False  # under a lead-in naming something: "For `issues`:" then its labels
    for b in blocks:
        if b.kind == "para":
            led = _names_only_lead(b.text)
        elif b.kind != "item":
            led = False
        if b.kind not in ("para", "item"):
            continue
        low = b.text.lower()
        if "all" not in low and "every" not in low and "each" not in low and "cursor" not in low:
            continue  # no statement for every table, no cursor label: skip the regexes
        if "`" in b.text and not led:
            m = _CURSOR_LABEL.match(b.text)
            if m:
                codes = [c for c in re.findall(r"`([^`]+)`", m.group(1)) if IDENT.match(c)]
                if codes:
                    labelled.append((codes[0], b.line))
                    out.cursor_where_present |= bool(_WHERE_PRESENT.search(m.group(1)))
        every = False
        for sentence in re.split(r"(?<=[.!?])\s+|\n", b.text):
            # A paragraph that opens with a statement about every table goes on speaking
            # of them: "All tables use `cdc`. The incremental cursor is `changed`."
            every = every or bool(_EVERY.search(sentence))
            if not every:
                continue
            codes = [
                c
                for c in re.findall(r"`([^`]+)`", sentence)
                if IDENT.match(c) and c.lower() not in INGESTION_WORDS
            ]
            if out.pk is None and _PK_WORDS.search(sentence):
                named = codes or _key_subject(sentence)
                if named:
                    out.pk = ([named[0]], b.line)
            ing = ingestion_from_text(sentence) if "ingest" in sentence.lower() else None
            if out.ingestion is None and ing is not None:
                out.ingestion = (ing, b.line)
            if out.cursor is None and _CURSOR_WORDS.search(sentence):
                named = [c for c in codes if is_cursor_name(c, INGESTION_WORDS)]
                if named:
                    out.cursor = (named[-1] if ing is not None else named[0], b.line)
    if len({name for name, _ in labelled}) == 1:
        # the earlier of the label and a sentence about every table
        out.cursor = min(filter(None, (out.cursor, labelled[0])), key=lambda c: c[1])
    return out


# --- facts stated per table outside its own section ----------------------------------------

_FACT_TITLE = (
    ("pk", re.compile(r"primary[ _-]?keys?|\bkeys\b", re.I)),
    ("ingestion", re.compile(r"ingestion", re.I)),
    ("cursor", re.compile(r"\bcursors?\b|incremental (?:field|key)", re.I)),
)
#: "Primary key for `apps`: ..." names its fact and its table
_FOR_TABLE = re.compile(
    r"^(primary[ _-]?keys?|pk|cursor(?: field)?|ingestion(?: type)?)\s+(?:for|of)\s+"
    r"(?:the\s+)?`([^`]+)`[^:\u2013\u2014]{0,20}?(?::|\s[\u2013\u2014-]\s)\s*(.+)$",
    re.I | re.S,
)
#: "`repositories`: `id` (64-bit integer)" under a primary-keys heading; several tables may
#: share the line: "`assignees` / `collaborators`: ..."
_LED_BY_TABLE = re.compile(
    r"^(`[^`]+`(?:\s*(?:/|,|&|\band\b)\s*`[^`]+`)*|([A-Za-z_][\w\-]*))"
    r"\s*(?::|\s[\u2013\u2014-]\s)\s*(.+)$",
    re.S,
)


def _fact_value(fact: str, text: str) -> object | None:
    # Only the words before a first aside: "`id` (64-bit integer; unique per repository)".
    head = re.split(r"\s\(|;|\.\s", text, maxsplit=1)[0]
    codes = [c for c in re.findall(r"`([^`]+)`", head) if IDENT.match(c)]
    if fact == "pk":
        if not codes and "`" not in head:
            # "**EmpJob**: userId, managerId": bare names, comma-separated, nothing else.
            names = [p.strip() for p in head.strip().rstrip(".").split(",")]
            return names if all(IDENT.match(n) and " " not in n for n in names) else None
        return codes or None
    if fact == "cursor":
        return codes[0] if codes else None
    return ingestion_from_text(head)


_LEAD = re.compile(r"^`([^`]+)`(?:\s*$|\s*[(:,\u2013\u2014-])")


def _heading_name(sec: Section) -> str:
    """The name a heading gives: its code span, else its text."""
    return sec.title_codes[0] if sec.title_codes else sec.title.strip().strip("*").strip()


def stated_facts(root: Section, names: set[str]) -> dict[str, dict[str, tuple[object, int]]]:
    """``{table key: {fact: (value, line)}}`` for statements such as ``Primary key for
    `apps`: `app_id` `` anywhere, and ``- `apps`: `app_id` `` under a heading about that fact
    (``names`` are the known tables' keys, see ``name_key``)."""
    from skillpack.apidoc._sections import name_key

    out: dict[str, dict[str, tuple[object, int]]] = {}

    def put(table: str, fact: str, value: object, line: int) -> None:
        key = name_key(table)
        if fact == "cursor" and not is_cursor_name(str(value), set()):
            return  # "`nextCursor` returned in the response": a paging token, no cursor
        if key in names and value:
            out.setdefault(key, {}).setdefault(fact, (value, line))

    for sec in root.walk():
        fact_of_section = next((f for f, rx in _FACT_TITLE if rx.search(sec.title)), None)
        parent = sec.parent
        if (
            parent is not None
            and parent.level
            and _FACT_TITLE[0][1].search(parent.title)
            and name_key(_heading_name(sec)) in names
        ):
            # "## Primary keys" / "### `orders`" / "- `order_id` (string)": the items led by
            # a code span under a table's own heading are its key fields.
            keys = [
                m.group(1) for b in sec.blocks if b.kind == "item" and (m := _LEAD.match(b.text))
            ]
            if keys and all(IDENT.match(k) for k in keys):
                first = next(b.line for b in sec.blocks if b.kind == "item")
                put(_heading_name(sec), "pk", keys, first)
            continue
        for b in sec.blocks:
            if b.kind not in ("para", "item"):
                continue
            if "`" not in b.text and not (fact_of_section and b.kind == "item"):
                continue
            for part in b.text.split("\n"):
                m = _FOR_TABLE.match(part.strip())
                if m:
                    label = m.group(1).lower()
                    fact = "pk" if label.startswith(("primary", "pk")) else label.split()[0]
                    fact = "cursor" if fact.startswith("cursor") else fact
                    put(m.group(2), fact, _fact_value(fact, m.group(3)), b.line)
                    continue
                if fact_of_section and b.kind == "item":
                    m = _LED_BY_TABLE.match(part.strip())
                    if m:
                        value = _fact_value(fact_of_section, m.group(3))
                        named = re.findall(r"`([^`]+)`", m.group(1)) or [m.group(2)]
                        for table in named:
                            put(table, fact_of_section, value, b.line)
    return out


# --- one endpoint for every table ----------------------------------------------------------

#: a path whose last segment stands for the table: ``/{ResourceType}``, ``/<EntitySet>``
_TEMPLATE_PATH = re.compile(
    r"(?:^|\s|`)(?:(GET|POST)\s+)?((?:\{[^}\s]*\}|<[^>\s]*>|https?://[^\s`/]+)?"
    r"(?:/[^\s`?]*)?/(?:\{([^}\s]+)\}|<([^>\s]+)>)(/[A-Za-z_-]+)?(?:\?[^\s`]*)?)"
    r"(?=$|[\s`.,;)])"
)
#: what follows the table's placeholder in a per-table endpoint, by what the endpoint serves:
#: its records (``/tables/{table}/records``) or its deleted records (``/{table}/deleted``);
#: any other tail (``/schema``, ``/metadata``) describes the table rather than reading it
_TAILS = {
    "records": re.compile(r"(?i)^/(records|rows|items|entries|data|objects|results)$"),
    "deletes": re.compile(r"(?i)^/(deleted(_?records|_?items|_?rows)?|deletions|tombstones)$"),
    "schema": re.compile(r"(?i)^/(schema|fields|columns|describe)$"),
    "metadata": re.compile(r"(?i)^/(metadata|meta)$"),
}
_TABLE_PLACEHOLDER = re.compile(
    r"(?i)^(?:resource|module|table|entity|entities|object|collection|dataset|stream|report|kind)"
    r"(?:_?(?:type|name|set|api_?name|id))*$"
)
_HOLE = re.compile(r"\{[^}/]+\}|<[^>/]+>")
_BASE_PLACEHOLDER = re.compile(r"^(?:\{[^}]*\}|<[^>]*>|https?://[^/]+)")


def table_endpoints(blocks: list[Block]) -> dict[str, tuple[str, str, int]]:
    """``(method, path, line)`` of the endpoints naming the table by a placeholder
    (``GET {base_url}/{ResourceType}``, ``GET /tables/{table}/records``), by what each serves:
    a table's ``records``, ``deletes``, ``schema`` or ``metadata``; the one named most often."""
    seen: dict[str, dict[tuple[str, str], list[int]]] = {}
    for b in blocks:
        texts = b.text.splitlines() if b.kind == "code" else [b.text]
        for offset, text in enumerate(texts):
            if "/" not in text or ("{" not in text and "<" not in text):
                continue
            for m in _TEMPLATE_PATH.finditer(text):
                name = m.group(3) or m.group(4) or ""
                if not _TABLE_PLACEHOLDER.match(name.replace("-", "_")):
                    continue
                tail = m.group(5)
                serves = "records" if tail is None else _serves(tail)
                if serves is None:
                    continue
                path = _BASE_PLACEHOLDER.sub("", m.group(2))
                line = b.line + (offset + 1 if b.kind == "code" else 0)
                named = seen.setdefault(serves, {})
                named.setdefault((m.group(1) or "GET", path), []).append(line)
    out = {}
    for serves, named in seen.items():
        (method, path), lines = max(named.items(), key=lambda kv: (len(kv[1]), -kv[1][0]))
        out[serves] = (method, path, lines[0])
    return out


def _serves(tail: str) -> str | None:
    return next((serves for serves, words in _TAILS.items() if words.match(tail)), None)


_SPARK_HEADER = re.compile(r"(?i)\b(spark|databricks|delta)\b")
_SOURCE_TYPE_HEADER = re.compile(r"(?i)\b(api|source|json|field|doc)\b.*\btype\b|^type$")


def type_mapping(blocks: list[Block]) -> tuple[dict[str, str], int | None]:
    """The doc's "Field Type Mapping" table: each API type name (``integer``) and the Spark
    type it maps to (``bigint``), with the table's line."""
    for b in blocks:
        if b.kind != "table" or len(b.header) < 2:
            continue
        head = [plain(c.text) for c in b.header]
        spark = next((i for i, h in enumerate(head) if _SPARK_HEADER.search(h)), None)
        source = next(
            (i for i, h in enumerate(head) if i != spark and _SOURCE_TYPE_HEADER.search(h)), None
        )
        if spark is None or source is None:
            continue
        found: dict[str, str] = {}
        for row in b.rows:
            if max(spark, source) >= len(row):
                continue
            mapped = map_type(plain(row[spark].text))
            names = row[source].codes or [plain(row[source].text)]
            for name in names:
                if mapped is not None and name.strip():
                    found[name.strip().lower()] = mapped[0]
        if found:
            return found, b.line
    return {}, None


_PARAMS_HEADER = re.compile(r"(?i)\b(param\w*|query|filters?|arguments)\b")
_NOTES_HEADER = re.compile(r"(?i)\b(notes?|description|meaning|semantics|details?)\b")


def params_by_table(blocks: list[Block], key) -> dict[str, list[Param]]:
    """Query parameters a Markdown table lists per table: a row per table (its first cell),
    a column of parameter names, and the row's notes as their description. ``key`` turns a
    cell's text into the key of a table name (rows naming no table are skipped by the
    caller, which looks the keys up)."""
    out: dict[str, list[Param]] = {}
    for b in blocks:
        if b.kind != "table" or len(b.header) < 2:
            continue
        head = [plain(c.text) for c in b.header]
        col = next((i for i, h in enumerate(head) if i and _PARAMS_HEADER.search(h)), None)
        if col is None:
            continue
        notes = next((i for i, h in enumerate(head) if i != col and _NOTES_HEADER.search(h)), None)
        for row, line in zip(b.rows, b.row_lines, strict=False):
            if col >= len(row):
                continue
            first = row[0].codes[0] if row[0].codes else plain(row[0].text)
            said = plain(row[notes].text) if notes is not None and notes < len(row) else ""
            names = [c for c in row[col].codes if IDENT.match(c)]
            have = out.setdefault(key(first), [])
            seen = {p.name for p in have}
            have += [Param(name=n, description=said, line=line) for n in names if n not in seen]
    return {k: v for k, v in out.items() if v}


def describes_tables(path: str, template: str) -> bool:
    """Whether ``path`` is the catalog or a describing sibling of the per-table endpoint
    ``template`` (``/tables``, ``/tables/{table}/schema`` or ``/tables/orders/metadata``
    beside ``/tables/{table}/records``): it tells about tables, not a table's records."""
    head = template.partition("?")[0]
    m = re.search(r"/" + _HOLE.pattern, head)
    if m is None:
        return False
    catalog = head[: m.start()]
    path = path.partition("?")[0].rstrip("/")
    if path == catalog.rstrip("/"):
        return True
    if not path.startswith(catalog + "/"):
        return False
    # one table (named or a placeholder), then anything but what the template reads
    rest = path[len(catalog) + 1 :].split("/")
    return len(rest) == 2 and rest[1] != head[m.end() :].strip("/")


def fill_template(path: str, table: str) -> str:
    """``/crm/v8/{module_api_name}?fields=x`` for table ``Leads`` -> ``/crm/v8/Leads?fields=x``;
    ``/tables/{table}/records`` -> ``/tables/orders/records``: the table's placeholder (the
    last one) takes its name."""
    base, sep, query = path.partition("?")
    holes = list(_HOLE.finditer(base))
    if not holes:
        return path
    last = holes[-1]
    return f"{base[: last.start()]}{table}{base[last.end() :]}{sep}{query}"
