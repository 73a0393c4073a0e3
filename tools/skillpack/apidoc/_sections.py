"""Sort a doc's sections into overview, auth, connection, pagination, write-back and tables.

Docs written by people name and order their headings freely, so a section is judged by its
title and by what it holds: a heading under a container (``Tables``, ``Objects``,
``Endpoints`` ...) names a table; elsewhere, a section that holds a field table, a ``GET``
endpoint or a key/cursor statement does. A section whose children are such tables is a
container itself. Within one table section, paragraphs that name a table (``**`users`**``,
``The `users` table:``) split it into several tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from skillpack.apidoc._extract import is_field_table
from skillpack.apidoc._tree import Block, Section
from skillpack.apidoc._vocab import (
    ASPECT_TITLE,
    AUTH_TITLE,
    CONNECTION_TITLE,
    CONTAINER_TITLE,
    DETAIL_TITLE,
    ENDPOINT,
    IDENT,
    META_TITLE,
    OBJECT_LIST_TITLE,
    PAGINATION_TITLE,
    WRITE_TITLE,
    alnum_key,
    per_doc,
    split_label,
    title_context,
)

#: a block and the context (``fields``, ``query``, ``write`` ...) its heading gives it
CtxBlock = tuple[Block, "str | None"]


@dataclass
class TableDraft:
    """A table found in the doc, before its details are read."""

    name: str
    line: int
    blocks: list[CtxBlock]
    name_from_title: bool = True
    options: list = field(default_factory=list)


@dataclass
class Sorted:
    overview: list[Block] = field(default_factory=list)
    auth: list[Section] = field(default_factory=list)
    connection: list[Section] = field(default_factory=list)
    pagination: list[Block] = field(default_factory=list)
    write: list[Section] = field(default_factory=list)
    tables: list[TableDraft] = field(default_factory=list)
    summaries: list[Block] = field(default_factory=list)
    #: blocks of sections about one aspect of every table ("Primary keys", "Read API"),
    #: each with its context and the line of its section's heading
    aspects: list[tuple[Block, str | None, int]] = field(default_factory=list)
    base_url_blocks: list[Block] = field(default_factory=list)
    #: tables named only in a list of tables ("1. **Candidate** - ...")
    listed: list[TableDraft] = field(default_factory=list)
    title: str = ""


_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]?|[ivx]+\.|[a-z]\))\s+", re.I)
_NAME_WORDS = re.compile(
    r"^(?:(?:table|object|stream|entity|resource|endpoint|dataset)s?(?:\s+\d+)?"
    r"\s*[:\u2013\u2014-]\s*)|"
    r"\b(?:table|object|stream|entity|resource|endpoint|api|records?|data|list|feed)s?\s*$|"
    r"^(?:list|get|fetch|retrieve|read|all|the)\s+",
    re.I,
)
_DETAIL_ONLY = re.compile(r"^(?:common|shared|general|global|all)\b", re.I)
_TABLE_PREFIX = re.compile(
    r"^(?:\d+(?:\.\d+)*[.)]?\s+)?(?:table|object|stream|entity|resource|dataset)(?:\s+\d+)?"
    r"\s*[:\u2013\u2014-]\s*\S",
    re.I,
)


_CODE_SPAN = re.compile(r"`[^`]*`")
_ONLY_JOINERS = re.compile(
    r"^[\s,/&]*(?:(?:and|or|&)[\s,]*)*(?:(?:tables?|objects?|streams?|resources?|entities)\b"
    r"[\s,]*)?(?:\(.*\))?\s*$",
    re.I,
)


_ABOUT_REQUESTS = re.compile(
    r"\b(?:paginat\w*|paging|authentication|authori[sz]ation|incremental|sync|filter\w*|"
    r"parameters?|params|rate limits?|sorting|ordering)\b"
)


def _title_idents(sec: Section) -> list[str]:
    """Identifiers in a heading's code spans, unless the heading is about requests:
    in "Pagination (`count` + `offset`)" the code spans are parameters, not tables."""
    idents = _ident_codes(sec.title_codes)
    if idents and _ABOUT_REQUESTS.search(_CODE_SPAN.sub("", sec.title.lower())):
        return []
    return idents


def _ident_codes(codes: list[str]) -> list[str]:
    return [c for c in codes if IDENT.match(c) and "/" not in c]


def slug(text: str) -> str:
    """``pull_requests`` for ``Pull Requests``."""
    s = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    return s


_PLAIN_NAME = re.compile(r"^[A-Za-z_][\w\-]*$")
_NO_SUMMARY = re.compile(
    r"\b(rate limit\w*|throttl\w*|limits|errors?|status codes|changelog|glossary|references?|"
    r"sources|see also|faq|webhooks?|type mapping|mapping|research|quirks|auth\w*|credentials)\b"
)
_BASE_URL_TITLE = re.compile(r"\b(base ur[li]|api endpoint|host|server url|root url)\b")


def as_name(text: str) -> str:
    """A table name as written when it is one word (``FundGO``), else its slug."""
    t = text.strip().strip("`").strip()
    if t.startswith("**") and t.endswith("**"):
        t = t[2:-2].strip()
    return t if _PLAIN_NAME.match(t) else slug(t)


_LISTED = re.compile(
    r"^`?([A-Za-z_][\w\-]*)`?\s*(?:\([^)]*\))?\s*(?:(?:[:\u2013\u2014]|\s-)\s*(.*))?$", re.S
)
_NAME_LIST = re.compile(r"\s*(?:/|,|&|\band\b)\s*")


def _several_names(title: str) -> list[str]:
    """``["Candidate", "CandidateLight"]`` for a heading that names several tables."""
    t = _NUMBERING.sub("", title.replace("`", "")).strip()
    parts = [p for p in _NAME_LIST.split(t) if p]
    if len(parts) >= 2 and all(_PLAIN_NAME.match(p) for p in parts):
        return parts
    return []


@per_doc
def name_key(name: str) -> str:
    """A key under which ``WorkOrder``, ``work_orders`` and ``Work orders`` are one table."""
    return singular_key(alnum_key(name))


def singular_key(k: str) -> str:
    """``name_key`` of text already lower-cased and stripped to letters and digits."""
    if k.endswith("ies") and len(k) > 4:
        return k[:-3] + "y"
    if k.endswith(("ses", "xes", "ches", "shes")):
        return k[:-2]
    return k[:-1] if k.endswith("s") and not k.endswith("ss") and len(k) > 3 else k


def table_name(title: str, codes: list[str]) -> str:
    """A table's name from its heading: a code span, else the cleaned-up words."""
    idents = _ident_codes(codes)
    if idents:
        return idents[0]
    m = ENDPOINT.search(title)
    if m:
        segs = [
            s for s in m.group(2).split("?")[0].split("/") if s and not s.startswith(("{", ":"))
        ]
        if segs:
            return as_name(segs[-1])
    t = _NUMBERING.sub("", title.replace("`", ""))
    t = re.sub(r"\(.*?\)", "", t)
    for _ in range(3):
        t2 = _NAME_WORDS.sub("", t).strip()
        if t2 == t or not t2:
            break
        t = t2
    return as_name(t)


def _signals(blocks: list[Block], *, strong_only: bool = False) -> bool:
    """Whether blocks hold a field table or a GET endpoint (or, unless strong_only, a
    primary key / cursor / ingestion statement)."""
    for b in blocks:
        if b.kind == "table":
            if is_field_table(b):
                return True
        elif b.kind in ("para", "item"):
            if "GET" in b.text and ENDPOINT.search(b.text):
                return True
            if not strong_only:
                lbl = split_label(b.text)
                if lbl and lbl[0] in ("primary_key", "cursor", "ingestion", "read_endpoint"):
                    return True
        elif b.kind == "code" and not strong_only and ("GET " in b.text or "curl " in b.text):
            return True
    return False


def _is_detail(sec: Section) -> bool:
    title = sec.title.lower()
    if _title_idents(sec):
        return False
    return bool(DETAIL_TITLE.search(title)) or bool(_DETAIL_ONLY.match(title))


def _looks_like_table(sec: Section) -> bool:
    if _is_detail(sec):
        return False
    return _deep_signals(sec)


def _deep_signals(sec: Section) -> bool:
    """``_signals`` of a section and everything below it: a section's answer is its own
    blocks' or any child's, so each section is read once however deep the walk goes."""
    return _signals(sec.blocks) or any(_deep_signals(c) for c in sec.children)


def _with_lead_ins(blocks: list[Block], ctx: str | None) -> Iterator[CtxBlock]:
    """Each block with its context: the heading's, or for what follows a lead-in paragraph
    such as ``Query parameters:``, the lead-in's."""
    pending: str | None = None
    for b in blocks:
        if b.kind == "para" and b.depth == 0:
            text = b.text
            # ("Parameters:" is a label too, but one with nothing after it: a lead-in)
            if text.endswith(":") and len(text) < 120 and not (split_label(text) or ("", ""))[1]:
                pending = title_context(text) or None
            else:
                pending = None
            yield b, ctx
        else:
            yield b, pending or ctx


def _context_blocks(sec: Section, ctx: str | None, out: list[CtxBlock]) -> None:
    """Blocks of ``sec`` and its detail children, each with the context its heading sets
    (or a lead-in paragraph before it)."""
    out.extend(_with_lead_ins(sec.blocks, ctx))
    for child in sec.children:
        _context_blocks(child, title_context(child.title) or ctx, out)


def _anchor_name(block: Block) -> str | None:
    """A table name when a paragraph only introduces a table (``**`users`**``)."""
    if block.kind != "para" or len(block.text) > 80:
        return None
    text = block.text.rstrip(":. ")
    idents = _ident_codes(block.codes)
    if not idents:
        return None
    if text == f"`{idents[0]}`":
        return idents[0]
    lbl = split_label(block.text)
    if lbl and lbl[0] == "table_name":
        return idents[0]
    if re.match(
        r"^(?:the\s+)?(?:`[^`]+`\s+(?:table|object|stream|entity|resource)|"
        r"(?:table|object|stream|entity|resource)\s+`[^`]+`)$",
        text,
        re.I,
    ):
        return idents[0]
    return None


def _split_drafts(name: str, line: int, blocks: list[CtxBlock]) -> list[TableDraft]:
    anchors = [i for i, (b, _) in enumerate(blocks) if _anchor_name(b)]
    if len(anchors) < 2:
        if len(anchors) == 1 and anchors[0] == 0:
            return [TableDraft(_anchor_name(blocks[0][0]) or name, line, blocks)]
        return [TableDraft(name, line, blocks)]
    prefix = blocks[: anchors[0]]
    drafts = []
    for k, start in enumerate(anchors):
        end = anchors[k + 1] if k + 1 < len(anchors) else len(blocks)
        block = blocks[start][0]
        drafts.append(
            TableDraft(_anchor_name(block) or name, block.line, prefix + blocks[start:end], False)
        )
    return drafts


def sort_sections(root: Section) -> Sorted:
    """Walk the tree once and sort every section by what it is."""
    out = Sorted()
    h1 = [s for s in root.children if s.level == 1]
    if h1:
        out.title = h1[0].title
    out.overview.extend(root.blocks)

    def add_table(sec: Section) -> None:
        blocks: list[CtxBlock] = []
        if ENDPOINT.search(sec.title):
            # "List contacts — GET /contacts": the heading itself names the read endpoint.
            blocks.append((Block("heading", sec.line, sec.title, list(sec.title_codes)), None))
        _context_blocks(sec, None, blocks)
        idents = _ident_codes(sec.title_codes)
        # "`users`, `organizations`, and `teams` objects": one section for several tables.
        several = (
            idents
            if len(idents) >= 2 and _ONLY_JOINERS.match(_CODE_SPAN.sub("", sec.title))
            else []
        )
        names = several or _several_names(sec.title) or [table_name(sec.title, sec.title_codes)]
        for name in names:
            # "Candidate / CandidateLight": one schema for two tables, each gets the blocks.
            drafts = _split_drafts(name, sec.line, list(blocks))
            if _ident_codes(sec.title_codes):
                for d in drafts:
                    d.name_from_title = False
            out.tables.extend(drafts)

    def add_listed(sec: Section) -> None:
        for b in sec.blocks:
            if b.kind != "item":
                continue
            m = _LISTED.match(b.text)
            if m:
                line_block = Block("item", b.line, f"Description: {m.group(2) or ''}")
                out.listed.append(TableDraft(m.group(1), b.line, [(line_block, None)], False))

    def visit(sec: Section, in_container: bool) -> None:
        title = sec.title.lower()
        idents = _title_idents(sec)
        if not _NO_SUMMARY.search(title):
            out.summaries.extend(b for b in sec.blocks if b.kind == "table")
        if _BASE_URL_TITLE.search(title):
            out.base_url_blocks.extend(sec.blocks)
        if not idents and not in_container:
            if AUTH_TITLE.search(title):
                out.auth.append(sec)
                return
            if WRITE_TITLE.search(title):
                out.write.append(sec)
                return
            if PAGINATION_TITLE.search(title):
                out.pagination.extend(sec.all_blocks())
                add_aspect(sec, "pagination")
                return
            if CONNECTION_TITLE.search(title) and not _signals(sec.blocks, strong_only=True):
                out.connection.append(sec)
                return
            if META_TITLE.search(title) and not _signals(sec.blocks, strong_only=True):
                out.overview.extend(sec.blocks)
                for child in sec.children:
                    visit(child, False)
                return
        if _TABLE_PREFIX.match(sec.title):
            add_table(sec)
            return
        if not idents and OBJECT_LIST_TITLE.search(title) and not CONTAINER_TITLE.match(title):
            add_listed(sec)
            for child in sec.children:
                visit(child, True)
            return
        if not idents and ASPECT_TITLE.search(title):
            tables_below = [c for c in sec.children if _looks_like_table(c)]
            add_aspect(sec, None)
            for child in sec.children:
                if child in tables_below:
                    visit(child, True)
                else:
                    add_aspect(child, None)
                    for grandchild in child.children:
                        visit(grandchild, False)
            return
        if not idents and in_container and WRITE_TITLE.search(title):
            out.write.append(sec)
            return
        if not idents and CONTAINER_TITLE.match(title):
            out.overview.extend(sec.blocks)
            for child in sec.children:
                visit(child, True)
            return
        child_tables = [c for c in sec.children if _looks_like_table(c)]
        own_strong = _signals(sec.blocks, strong_only=True)
        details = [c for c in sec.children if _is_detail(c)]
        if child_tables and sec.level > 1 and len(details) > len(child_tables):
            # "Endpoint", "Query parameters", "Record fields", "Edge cases" ... with one odd
            # sub-heading among them: the section is one table, its children its details.
            add_table(sec)
            return
        if child_tables and (not own_strong or len(child_tables) >= 2 or sec.level <= 1):
            if sec.level <= 1 or not own_strong:
                out.overview.extend(sec.blocks)
            for child in sec.children:
                # Under a document title, siblings are judged on their own; deeper down, a
                # heading whose children are tables is a container of tables.
                visit(child, sec.level > 1)
            return
        if sec.level <= 1 and not own_strong:
            out.overview.extend(sec.blocks)
            for child in sec.children:
                visit(child, False)
            return
        if in_container and _is_detail(sec) and not _deep_signals(sec):
            add_aspect(sec, None)
            for child in sec.children:
                add_aspect(child, None)
            return
        if in_container or _deep_signals(sec):
            add_table(sec)
            return
        out.overview.extend(sec.blocks)
        add_aspect(sec, None)
        for child in sec.children:
            visit(child, False)

    def add_aspect(sec: Section, ctx: str | None) -> None:
        ctx = title_context(sec.title) or ctx
        heading = Block("heading", sec.line, sec.title, list(sec.title_codes))
        out.aspects.append((heading, ctx, sec.line))
        out.aspects.extend((b, c, sec.line) for b, c in _with_lead_ins(sec.blocks, ctx))
        if _BASE_URL_TITLE.search(sec.title.lower()):
            out.base_url_blocks.extend(sec.blocks)
        tables = [b for b in sec.blocks if b.kind == "table"]
        if tables and not _NO_SUMMARY.search(sec.title.lower()):
            seen = {id(b) for b in out.summaries}
            out.summaries.extend(b for b in tables if id(b) not in seen)
        if ctx == "pagination":
            # a pagination section's blocks may be in already (``visit`` takes them whole)
            seen = {id(b) for b in out.pagination}
            out.pagination.extend(b for b in sec.blocks if id(b) not in seen)
            for child in sec.children:
                add_aspect(child, ctx)

    for sec in root.children:
        visit(sec, False)
    return out
