"""parse_api_doc: read a Markdown API doc into typed data."""

from __future__ import annotations

import fnmatch
import gc
import re
from pathlib import Path
from typing import ClassVar

from pydantic import computed_field

from skillpack.apidoc._companions import companion_paths, merge, read_companions
from skillpack.apidoc._extract import (
    HAS_METHOD,
    is_field_table,
    is_summary_table,
    make_endpoint,
    records_key_in_prose,
    records_key_of,
)
from skillpack.apidoc._meta import (
    auth_methods,
    base_url,
    connection_params,
    global_pagination,
    source_name,
    summary_draft,
    summary_rows,
    write_backs,
)
from skillpack.apidoc._objects import (
    common_fields,
    declared_tables,
    describes_tables,
    doc_defaults,
    fill_template,
    params_by_table,
    stated_facts,
    table_endpoints,
    type_mapping,
    usual_cursors,
)
from skillpack.apidoc._sections import TableDraft, name_key, singular_key, sort_sections
from skillpack.apidoc._settle import apply_defaults, from_template, restrict, settle
from skillpack.apidoc._table import build_table
from skillpack.apidoc._tree import Block, build_tree, read_tokens
from skillpack.apidoc._vocab import (
    CURL,
    CURL_METHOD,
    ENDPOINT,
    alnum_key,
    clear_doc_caches,
    split_label,
)
from skillpack.apidoc.models import (
    HTTP_METHODS,
    ApiDoc,
    DocWarning,
    Table,
    TableDescribe,
    WriteBack,
)
from skillpack.errors import InputError
from skillpack.inputs import DocPath, ToolIn
from skillpack.limits import read_text_capped
from skillpack.registry import tool


class ParseApiDocIn(ToolIn):
    """Input of ``parse_api_doc``."""

    path: DocPath


class ParseApiDocOut(ApiDoc):
    """The API doc as typed data; ``warnings`` list what could not be decided, with lines."""

    GATE: ClassVar[str] = "complete"

    @computed_field(  # type: ignore[prop-decorator]
        description="The gate: at least one table, and every table has primary keys and "
        "(for cdc and cdc_with_deletes) a cursor field that the doc states rather than ones "
        "the parser guessed (`inferred`)."
    )
    @property
    def complete(self) -> bool:
        return bool(self.tables) and all(
            t.primary_keys
            and "primary_keys" not in t.inferred
            and (
                t.ingestion_type not in ("cdc", "cdc_with_deletes")
                or (t.cursor_field and "cursor_field" not in t.inferred)
            )
            for t in self.tables
        )


def _merge_drafts(drafts: list[TableDraft]) -> list[TableDraft]:
    """One draft per table (``WorkOrder`` and ``work_orders`` are one); the first spelling
    wins, except that a spelling from a code span or a list of tables beats a heading's."""
    by_key: dict[str, TableDraft] = {}
    for d in drafts:
        key = name_key(d.name)
        if key in by_key:
            kept = by_key[key]
            kept.blocks.extend(d.blocks)
            kept.options.extend(d.options)
            if kept.name_from_title and not d.name_from_title:
                kept.name, kept.name_from_title = d.name, False
        else:
            by_key[key] = TableDraft(
                d.name, d.line, list(d.blocks), d.name_from_title, list(d.options)
            )
    out = list(by_key.values())
    # Headings say "Orders" for the table `orders`; keep the case only in a doc whose
    # table names are identifiers such as `WorkOrder`.
    if not any(_CAMEL.search(d.name) for d in out):
        for d in out:
            d.name = d.name.lower() if _PLAIN.match(d.name) else d.name
    return out


_CAMEL = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]")
_PLAIN = re.compile(r"^[A-Za-z][a-z0-9_\-]*$")
_WORD = re.compile(r"[A-Za-z_][\w\-]*")


def _starts(names: dict[str, TableDraft]) -> frozenset[str]:
    """Every beginning of a table key: a run of words can only spell a key starting so."""
    return frozenset(k[:i] for k in names for i in range(1, len(k) + 1))


def _mentions(
    block: Block, names: dict[str, TableDraft], starts: frozenset[str]
) -> list[TableDraft]:
    """Tables a block is about: named in a code span, or among its first words when the
    block is a heading, a short line or a lead-in ending with a colon. Longer names win:
    "candidate background education" is not also "candidate"."""
    found: list[TableDraft] = []
    for span in block.codes:
        # `Orders(orderId=1)`, an OData key predicate, is about `Orders`
        d = names.get(name_key(span.split("(", 1)[0].strip()))
        if d is not None and all(f is not d for f in found):
            found.append(d)
    text = block.text
    if block.kind == "heading" or len(text) < 80 or text.rstrip().endswith(":"):
        head = text.split(":", 1)[0] if ":" in text[:60] else text
        # Each word's key part once; a run of words is keyed by joining them.
        words = [alnum_key(w) for w in _WORD.findall(head)[:10]]
        used = [False] * len(words)
        for n in (4, 3, 2, 1):
            for i in range(len(words) - n + 1):
                if any(used[i : i + n]) or (n > 1 and words[i] not in starts):
                    continue
                d = names.get(singular_key("".join(words[i : i + n])))
                if d is not None:
                    used[i : i + n] = [True] * n
                    if all(f is not d for f in found):
                        found.append(d)
    return found


#: the scheme and host of a full URL
_HOST = re.compile(r"^[a-z][a-z0-9+.\-]*://[^/]*", re.I)


def _first_path(block: Block) -> str | None:
    """The path of the block's first endpoint, as written: ``METHOD /path`` (or a ``curl``
    line in a code block). Only the words matter here, so no ``Endpoint`` is built."""
    if block.kind == "code":
        for raw in block.text.splitlines():
            line = raw.strip()
            m = ENDPOINT.match(line)
            if m:
                return m.group(2)
            if line.startswith("curl") and (c := CURL.search(line)):
                mm = CURL_METHOD.search(line)
                method = mm.group(1) if mm else ("POST" if " -d " in line else "GET")
                if method in HTTP_METHODS:
                    return c.group(2)
        return None
    if block.kind == "table" or not HAS_METHOD.search(block.text):
        return None
    m = ENDPOINT.search(block.text)
    return m.group(2) if m else None


def _by_path(path: str | None, names: dict[str, TableDraft]) -> TableDraft | None:
    """The table whose name is a segment of ``path`` (a block's first endpoint's)."""
    if path is None:
        return None
    # (a placeholder, `{server}` of the host or `{survey_id}`, stands for a value, not a table)
    for seg in reversed(re.split(r"[/?(]", _HOST.sub("", path))):
        if seg.startswith(("{", "<", ":")):
            continue
        d = names.get(name_key(seg))
        if d is not None:
            return d
    return None


def _path_key(path: str | None) -> tuple[str, ...]:
    """A path's segments, host, query and placeholder names left out:
    ``https://{server}/api/streams/{webId}/recorded?x=1`` is ``api/streams/{}/recorded``.
    Empty for a path with fewer than two names in it: too little to say whose it is."""
    bare = _HOST.sub("", path or "").split("?", 1)[0]
    key = tuple(
        "{}" if seg.startswith(("{", "<", ":")) else seg.lower() for seg in bare.split("/") if seg
    )
    return key if sum(seg != "{}" for seg in key) >= 2 else ()


def _own_paths(drafts: list[TableDraft]) -> dict[tuple[str, ...], list[TableDraft]]:
    """Each table's own endpoint path (its first in its own blocks), keyed by ``_path_key``."""
    out: dict[tuple[str, ...], list[TableDraft]] = {}
    for d in drafts:
        path = next((p for b, _ in d.blocks if (p := _first_path(b))), None)
        key = _path_key(path)
        if key:
            out.setdefault(key, []).append(d)
    return out


def _by_own_path(
    path: str | None, own: dict[tuple[str, ...], list[TableDraft]]
) -> list[TableDraft]:
    """The tables whose own endpoint ``path`` (a block's first endpoint's) is, the base
    path aside: a Read API section's ``GET /streams/{webId}/recorded`` is the table listed
    with ``/piwebapi/streams/{webId}/recorded``."""
    key = _path_key(path) if own else ()
    if not key:
        return []
    n = len(key)
    return [d for k, ds in own.items() if k[-n:] == key or key[-len(k) :] == k for d in ds]


def _assign_aspects(drafts: list[TableDraft], aspects) -> None:
    """Give blocks of aspect sections ("Primary keys", "Read API", ...) to the tables they
    are about: all of them when the doc has one table, else those after a mention."""
    if not drafts:
        return
    if len(drafts) == 1:
        drafts[0].blocks.extend((b, ctx) for b, ctx, _ in aspects if b.kind != "heading")
        return
    names = {name_key(d.name): d for d in drafts}
    starts = _starts(names)
    own = _own_paths(drafts)
    current: list[TableDraft] = []
    # how ``current`` was chosen: "named" in words (an endpoint shown does not undo it), or
    # by "path", a table's own endpoint shown (another endpoint shown ends it)
    chosen: str | None = None
    section = None
    # "supports `archived=true` on these tables:" names none; the list after it does, and the
    # lead-in says what the list means, so it goes to the tables the list names
    lead: tuple[Block, str | None] | None = None
    for block, ctx, sec_line in aspects:
        if sec_line != section:
            section, current, lead, chosen = sec_line, [], None, None
        if block.kind == "table" and (is_summary_table(block) >= 0 or not is_field_table(block)):
            continue  # tables listing tables were read as summaries already
        mentioned = _mentions(block, names, starts)
        if mentioned:
            current, chosen = mentioned, "named"
            if lead is not None and block.kind == "item":
                for d in mentioned:
                    d.blocks.append(lead)
        if block.kind == "heading":
            continue
        if block.kind == "para" and block.text.rstrip().endswith(":") and not mentioned:
            lead = (block, ctx)
        elif block.kind != "item":
            lead = None
        path = _first_path(block)
        target = _by_path(path, names)
        if target is None and path is not None and chosen != "named":
            # a section that names no table but shows a table's own endpoint is about it,
            # until it shows another endpoint
            mine = _by_own_path(path, own)
            if mine or chosen == "path":
                current, chosen = mine, "path" if mine else None
        for d in [target] if target is not None else current:
            d.blocks.append((block, ctx))


def _variants(name: str) -> set[str]:
    n = name.lower()
    out = {n, n.rstrip("s"), f"{n}s", n.replace("-", "_")}
    if n.endswith("ies"):
        out.add(n[:-3] + "y")
    if n.endswith("y"):
        out.add(n[:-1] + "ies")
    return out


def _first_segment(path: str) -> str:
    segs = [s for s in path.split("/") if s and not s.startswith(("{", ":", "v1", "v2", "v3"))]
    return segs[0] if segs else ""


def _match_table(tables: list[Table], name: str | None, wb: WriteBack) -> Table | None:
    if name:
        wanted = _variants(name)
        for t in tables:
            if _variants(t.name) & wanted:
                return t
    for ep in (wb.insert, wb.update, wb.delete):
        if ep is None:
            continue
        seg = _first_segment(ep.path)
        for t in tables:
            if t.read_endpoint is not None and seg and _first_segment(t.read_endpoint.path) == seg:
                return t
    return None


def parse_markdown(text: str, path: str | None = None) -> ApiDoc:
    """Parse API-doc Markdown ``text``; ``path`` only helps name the source and the result
    (``read_doc`` also reads the companion docs a file links to)."""
    return _parse(text, path)[0]


def _parse(text: str, path: str | None) -> tuple[ApiDoc, list[tuple[str, int]]]:
    """The doc, and the link targets it holds (with their lines)."""
    tokens = read_tokens(text)
    # Reading the tokens makes some hundred thousand short-lived objects, none in a cycle,
    # while the token stream stays alive: the cycle collector would walk it again and
    # again for nothing, so it rests until the doc is read.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _read(tokens, path)
    finally:
        if collecting:
            gc.enable()


def _read(tokens: list, path: str | None) -> tuple[ApiDoc, list[tuple[str, int]]]:
    clear_doc_caches()  # per-doc caches start empty: each doc is read on its own
    root = build_tree(tokens)
    parts = sort_sections(root)
    declared = declared_tables(root)
    warnings: list[DocWarning] = []

    everything = parts.overview + [b for s in root.walk() for b in s.blocks]
    url, _line = base_url(parts.base_url_blocks, any_url=True)
    if url is None:
        url, _line = base_url(parts.overview)
    if url is None:
        url, _line = base_url(everything)
    name, name_warning = source_name(parts.overview, parts.title, path)
    if name_warning is not None:
        warnings.append(name_warning)
    methods, auth_warnings = auth_methods(parts.auth)
    warnings.extend(auth_warnings)
    if url is None and not any(m.kind == "client" for m in methods):
        # (a source reached through a Python client has no host to name)
        warnings.append(
            DocWarning(
                line=None, code="no-base-url", message="no base URL found; state `Base URL:`"
            )
        )

    drafts = list(parts.tables) + list(parts.listed)
    for block in parts.summaries:
        if is_summary_table(block) < 0:
            continue
        for tname, facts, line in summary_rows(block, url):
            drafts.append(summary_draft(tname, facts, line))
    drafts = [d for d in drafts if name_key(d.name)]  # an empty heading names no table
    wildcards = [d for d in drafts if "*" in d.name]
    drafts = _merge_drafts([d for d in drafts if "*" not in d.name])
    aspects = list(parts.aspects)
    if declared.names:
        drafts, details = restrict(drafts, declared)
        # A section the object list does not name is a detail section ("Example: orders
        # metadata" under "Retrieving schemas"): its blocks go to the tables it mentions.
        for d in details:
            aspects.append((Block("heading", d.line, d.name), None, d.line))
            aspects.extend((b, ctx, d.line) for b, ctx in d.blocks)
    elif declared.kind == "discovered":
        # The doc says the tables come from the API and names none: its headings are
        # endpoints and concepts, not tables. The connector must discover them.
        drafts = []
    for wild in wildcards:
        # "JobApplicationSnapshot_*" in a summary row speaks for every table it matches.
        for d in drafts:
            if fnmatch.fnmatchcase(d.name, wild.name):
                d.blocks.extend(wild.blocks)
    _assign_aspects(drafts, aspects)

    pagination = global_pagination(parts.pagination, parts.overview)
    # fields every table shares ("All resources share common fields:") are each table's too
    shared = common_fields(everything)
    defaults = doc_defaults(declared.blocks + parts.overview + [b for b, _, _ in parts.aspects])
    stated = stated_facts(root, {name_key(d.name) for d in drafts})
    defaults.usual_cursors = usual_cursors(everything)
    tables: list[Table] = []
    # Headings name endpoints too ("### GET /tables/{table}/records").
    titled = everything + [Block("heading", s.line, s.title) for s in root.walk() if s.title]
    templates = table_endpoints(titled) if drafts else {}
    template = templates.get("records")
    deletes_template = templates.get("deletes")
    per_table = params_by_table(everything, name_key) if drafts else {}
    for draft in drafts:
        table, table_warnings = build_table(draft, url, pagination, shared)
        table = apply_defaults(table, defaults, declared, stated)
        ep = table.read_endpoint
        if template is not None and (ep is None or describes_tables(ep.path, template[1])):
            # No endpoint of its own, or one that tells about tables (the catalog, a
            # schema) rather than listing records: the doc's endpoint for every table.
            table, note = from_template(table, template, url)
            table_warnings.append(note)
        listed = per_table.get(name_key(table.name), [])
        if listed and table.read_endpoint is not None:
            # A row of a per-table parameter table names the query parameters the table's
            # endpoint takes ("`since`, `page`" beside "`since` is exclusive lower bound").
            known = {p.name for p in table.read_endpoint.query_params}
            more = [p for p in listed if p.name not in known]
            ep = table.read_endpoint
            table = table.model_copy(
                update={
                    "read_endpoint": ep.model_copy(
                        update={"query_params": [*ep.query_params, *more]}
                    )
                }
            )
        if (
            deletes_template is not None
            and table.ingestion_type == "cdc_with_deletes"
            and table.delete_endpoint is None
        ):
            method, dpath, dline = deletes_template
            table = table.model_copy(
                update={
                    "delete_endpoint": make_endpoint(
                        method, fill_template(dpath, table.name), dline, url
                    )
                }
            )
        tables.append(table)
        warnings.extend(settle(table, table_warnings))

    for wname, wb, line in write_backs(parts.write, url):
        target = _match_table(tables, wname, wb)
        if target is None:
            warnings.append(
                DocWarning(
                    line=line,
                    code="write-back-unmatched",
                    message=f"write-back entry `{wname or '?'}` matches no table",
                    table=wname,
                )
            )
            continue
        current = target.write or WriteBack()
        target.write = WriteBack(
            insert=current.insert or wb.insert,
            update=current.update or wb.update,
            delete=current.delete or wb.delete,
            body_fields=current.body_fields or wb.body_fields,
        )
    if not tables:
        reason = (
            "the doc says its tables are discovered at run time but names none"
            if declared.kind == "discovered"
            else "no object list, table section or endpoint describes a table"
        )
        warnings.append(
            DocWarning(line=None, code="no-tables", message=f"no tables found: {reason}")
        )

    doc = ApiDoc(
        describe=_describe(templates, everything, url) if tables else None,
        records_key=_doc_records_key(parts.overview + parts.pagination),
        source_name=name,
        title=parts.title,
        base_url=url,
        auth=methods,
        connection_params=connection_params(parts.connection),
        tables=tables,
        table_list=declared.kind,
        warnings=sorted(warnings, key=lambda w: w.line or 0),
        path=path,
    )
    return doc, root.links


def _doc_records_key(blocks: list[Block]) -> str | None:
    """Where the doc says, outside any table's section, every list response keeps its
    records: a ``Response key:`` label, else a sentence ("Records are listed under `data`")."""
    prose = None
    for b in blocks:
        if b.kind not in ("para", "item"):
            continue
        lbl = split_label(b.text)
        if lbl is not None and lbl[0] == "records_key":
            key = records_key_of(lbl[1])
            if key:
                return key
        prose = prose or records_key_in_prose(b.text)
    return prose


def _describe(templates: dict, blocks: list[Block], url: str | None) -> TableDescribe | None:
    """The endpoints that describe a table at run time, and the doc's type mapping."""
    found = {}
    for serves in ("schema", "metadata"):
        named = templates.get(serves)
        if named is not None:
            method, path, line = named
            found[serves] = make_endpoint(method, path, line, url)
    if not found:
        return None
    types, line = type_mapping(blocks)
    return TableDescribe(
        schema_endpoint=found.get("schema"),
        metadata_endpoint=found.get("metadata"),
        types=types,
        types_line=line,
    )


#: larger files are refused with a one-line error rather than parsed for minutes


def read_doc(path: str) -> ApiDoc:
    """Read and parse the API doc at ``path``, with the companion docs it links to in its
    own folder filling what it leaves open; ``InputError`` if it cannot be read."""
    p = Path(path).expanduser()
    if not p.exists():
        raise InputError(
            f"API doc `{path}` not found",
            hint="pass the path of a Markdown API doc, e.g. `sources/NAME/NAME_api_doc.md`",
            code="doc-not-found",
        )
    if not p.is_file():
        raise InputError(f"API doc `{path}` is not a file", hint="pass a Markdown file's path")
    doc, links = _parse(read_text_capped(p, "API doc"), str(path))
    companions = read_companions(p, links, parse_markdown) if links else []
    return merge(doc, companions) if companions else doc


def linked_docs(path: Path) -> list[Path]:
    """The companion docs the API doc at ``path`` links to in its own folder (what
    ``read_doc`` reads with it), so they can travel with it."""
    links = build_tree(read_tokens(read_text_capped(path, "API doc"))).links
    return companion_paths(path, links) if links else []


@tool
def parse_api_doc(inp: ParseApiDocIn) -> ParseApiDocOut:
    """Read a Markdown API doc into typed data: source, base URL, auth, tables and warnings.

    Each table carries its read endpoint, pagination, primary keys, cursor field, ingestion
    type (marked in ``inferred`` when guessed), fields with Spark types, and write-back
    endpoints. Run it first on a new doc; fix what ``warnings`` name, then lint the doc.
    """
    doc = read_doc(inp.path)
    return ParseApiDocOut.model_validate(doc.model_dump())
