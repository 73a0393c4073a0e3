"""Doc-level facts: source name, base URL, auth methods, connection parameters, write-back."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from skillpack.apidoc._extract import (
    codes_in,
    columns,
    endpoints_in_text,
    identifiers,
    is_none_value,
    param_from_item,
    params_from_table,
    plain,
    records_key_of,
)
from skillpack.apidoc._sections import TableDraft, as_name, slug, table_name
from skillpack.apidoc._tree import Block, Section
from skillpack.apidoc._vocab import (
    IDENT,
    OR_AFTER_CODE,
    PAGE_PROSE,
    URL,
    auth_kind_from_text,
    classify_label,
    ingestion_from_text,
    pagination_from_text,
    split_label,
)
from skillpack.apidoc.models import (
    AuthMethod,
    ClientFactory,
    DocWarning,
    Endpoint,
    Pagination,
    Param,
    WriteBack,
)

_TITLE_NOISE = re.compile(
    r"\b(api|apis|rest|restful|http|graphql|documentation|docs?|reference|guide|connector|"
    r"source|v\d+(?:\.\d+)*|for|the|of|developer|integration|overview|notes)\b",
    re.I,
)
_SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def source_name(
    overview: list[Block], title: str, path: str | None
) -> tuple[str | None, DocWarning | None]:
    """The stated source name; else one guessed from the file name or title, with a warning."""
    for b in overview:
        if b.kind in ("para", "item"):
            lbl = split_label(b.text)
            if lbl and lbl[0] == "source":
                names = identifiers(lbl[1])
                if names:
                    return slug(names[0]), None
        elif b.kind == "table":
            for row in b.rows:
                if len(row) >= 2:
                    lbl = split_label(f"{plain(row[0].text)}: {row[1].text}")
                    if lbl and lbl[0] == "source":
                        names = identifiers(lbl[1])
                        if names:
                            return slug(names[0]), None
    if path:
        stem = Path(path).name
        if stem.endswith("_api_doc.md"):
            name = stem[: -len("_api_doc.md")]
            if _SOURCE_NAME.match(name):
                return name, None
    guess = slug(_TITLE_NOISE.sub(" ", title)) if title else ""
    if guess and not guess[0].isalpha():
        guess = f"s_{guess}"
    if guess:
        return guess, DocWarning(
            line=1,
            code="source-name-guessed",
            message=f"source name not stated; guessed `{guess}` from the title "
            "(state it as `Source name: `NAME`` in the overview)",
        )
    return None, DocWarning(
        line=1, code="no-source-name", message="no source name found; state `Source name: NAME`"
    )


#: a placeholder written in angle brackets (``https://<subdomain>.example.com``)
_ANGLED = re.compile(r"<([A-Za-z_][\w-]*)>")


def _urls(text: str) -> list[str]:
    """URLs in ``text``, code spans first; ``<name>`` placeholders become ``{name}``, the
    one spelling the rest of the pipeline templates from options."""
    spans = [c for c in codes_in(text) if c.startswith("http")]
    found = spans + [u.rstrip(".,;:") for u in URL.findall(plain(text))]
    return [_ANGLED.sub(r"{\1}", u) for u in found]


#: a sentence about the base URL (on lower-cased text)
_ABOUT_BASE_URL = re.compile(r"base (?:url|uri)|root url|api host")
#: a word every base-URL label holds: rows without one are skipped before splitting them
_BASE_URL_WORDS = ("url", "uri", "path", "endpoint", "root", "host", "server")


def base_url(blocks: list[Block], *, any_url: bool = False) -> tuple[str | None, int | None]:
    """The stated base URL and its line; else the URL of a sentence about the base URL.

    With ``any_url`` (blocks under a "Base URL" heading) the first URL anywhere counts.
    """
    fallback: tuple[str | None, int | None] = (None, None)
    for b in blocks:
        if any_url:
            urls = _urls(b.text) if b.kind != "table" else []
            if urls:
                # "https://{server}/odata/v2/{EntitySet}": the last placeholder is the table.
                return re.sub(r"/\{[^}/]*\}$", "", urls[0].rstrip("/")), b.line
            continue
        if b.kind in ("para", "item"):
            lbl = split_label(b.text)
            if lbl and lbl[0] == "base_url":
                urls = _urls(lbl[1])
                if urls:
                    return urls[0].rstrip("/"), b.line
            if fallback[0] is None and _ABOUT_BASE_URL.search(b.text.lower()):
                urls = _urls(b.text)
                if urls:
                    fallback = (urls[0].rstrip("/"), b.line)
        elif b.kind == "table":
            for row, line in zip(b.rows, b.row_lines, strict=False):
                if len(row) >= 2 and any(w in row[0].text.lower() for w in _BASE_URL_WORDS):
                    lbl = split_label(f"{plain(row[0].text)}: {row[1].text}")
                    if lbl and lbl[0] == "base_url":
                        urls = _urls(lbl[1])
                        if urls:
                            return urls[0].rstrip("/"), line
    return fallback


def _params_in(blocks: list[Block], *, secret_by_name: bool) -> list[Param]:
    params: list[Param] = []
    for b in blocks:
        if b.kind == "table":
            cols = columns(b)
            described = max(cols.type, cols.secret, cols.required, cols.desc) >= 0
            if cols.name >= 0 and described:
                params.extend(params_from_table(b, secret_by_name=secret_by_name))
        elif b.kind == "item" and b.text.startswith("`"):
            if split_label(b.text):
                continue
            p = param_from_item(b.text, b.line, secret_by_name=secret_by_name)
            if p is not None:
                params.append(p)
    seen: set[str] = set()
    return [p for p in params if not (p.name in seen or seen.add(p.name))]  # type: ignore[func-returns-value]


def _method(blocks: list[Block], title: str, line: int) -> AuthMethod:
    kind = None
    desc = ""
    for b in blocks:
        if b.kind in ("para", "item"):
            lbl = split_label(b.text)
            if lbl and lbl[0] == "auth_kind" and kind is None:
                kind = auth_kind_from_text(lbl[1], is_label=True)
            elif lbl and lbl[0] == "sent_as" and not desc:
                desc = plain(lbl[1])
    if kind is None:
        kind = auth_kind_from_text(title)
    if kind is None:
        for b in blocks:
            if b.kind in ("para", "item"):
                kind = auth_kind_from_text(b.text)
                if kind:
                    break
    if not desc:
        desc = next(
            (plain(b.text) for b in blocks if b.kind == "para" and not split_label(b.text)), ""
        )[:300]
    fields = _params_in(blocks, secret_by_name=True)
    client = client_factory(blocks, [f.name for f in fields])
    if client is not None and kind in (None, "custom", "basic"):
        # The credentials go into a Python client's constructor, not onto the wire: however
        # the doc names them ("username / password"), no HTTP scheme sends them.
        return AuthMethod(kind="client", client=client, description=desc, fields=fields, line=line)
    return AuthMethod(kind=kind or "custom", description=desc, fields=fields, line=line)  # type: ignore[arg-type]


#: modules whose calls send HTTP themselves: code using them shows a request, not a client
_HTTP_MODULES = re.compile(r"^(requests|httpx|urllib3?|aiohttp|http)(\.|$)")


def client_factory(blocks: list[Block], params: list[str]) -> ClientFactory | None:
    """The client construction a Python example in ``blocks`` shows, when its arguments are
    the connection parameters ``params``: ``from m import make`` and ``c = make("u", "p")``
    (positional, matched to ``params`` in order) or ``make(username=..., password=...)``."""
    for b in blocks:
        if b.kind != "code" or b.info.split()[:1] not in ([], ["python"], ["py"]):
            continue
        try:
            tree = ast.parse(b.text)
        except (SyntaxError, ValueError):
            continue
        imported: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                if _HTTP_MODULES.match(node.module):
                    continue
                for alias in node.names:
                    imported[alias.asname or alias.name] = node.module
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
                continue
            call = node.value
            name = call.func.id if isinstance(call.func, ast.Name) else None
            if name not in imported:
                continue
            line = b.line + node.lineno
            if call.keywords and not call.args:
                names = [k.arg for k in call.keywords if k.arg]
                if names and all(n in params for n in names):
                    return ClientFactory(
                        module=imported[name], factory=name, args=names, keywords=True, line=line
                    )
            elif call.args and not call.keywords and len(call.args) <= len(params):
                args = params[: len(call.args)]
                return ClientFactory(module=imported[name], factory=name, args=args, line=line)
    return None


def auth_methods(sections: list[Section]) -> tuple[list[AuthMethod], list[DocWarning]]:
    """One method per auth section, or one per sub-heading that names an auth kind."""
    methods: list[AuthMethod] = []
    warnings: list[DocWarning] = []
    for sec in sections:
        kinds = [c for c in sec.children if auth_kind_from_text(c.title)]
        if len(kinds) >= 2:
            for child in kinds:
                methods.append(_method(sec.blocks + child.all_blocks(), child.title, child.line))
        else:
            methods.append(_method(sec.all_blocks(), sec.title, sec.line))
    if not methods:
        warnings.append(
            DocWarning(line=None, code="no-auth", message="no authentication section found")
        )
    for m in methods:
        if m.kind == "custom":
            warnings.append(
                DocWarning(
                    line=m.line,
                    code="unknown-auth-kind",
                    message="could not tell the authentication kind; state `Kind: ...`",
                )
            )
        if m.kind != "none" and not m.fields:
            warnings.append(
                DocWarning(
                    line=m.line,
                    code="no-auth-fields",
                    message=f"`{m.kind}` authentication lists no parameters (name, secret)",
                )
            )
    return methods, warnings


def connection_params(sections: list[Section]) -> list[Param]:
    out: list[Param] = []
    for sec in sections:
        out.extend(_params_in(sec.all_blocks(), secret_by_name=True))
    return out


def global_pagination(blocks: list[Block], overview: list[Block]) -> Pagination | None:
    """The style a pagination section states; else one a sentence of the overview states."""
    for group, prose in ((blocks, False), (overview, True)):
        for b in group:
            if b.kind not in ("para", "item"):
                continue
            lbl = split_label(b.text)
            if lbl and lbl[0] == "pagination":
                text, is_prose = lbl[1], False
            elif prose and not PAGE_PROSE.search(b.text):
                continue
            else:
                text, is_prose = b.text, prose
            style = pagination_from_text(text, prose=is_prose)
            if style:
                # The lines after the statement usually name the parameters ("- `offset`:
                # records to skip"); the implement step reads them from the description.
                start = next(i for i, x in enumerate(group) if x is b)
                after = [x for x in group[start : start + 8] if x.kind in ("para", "item")]
                description = "\n".join(x.text for x in after) if group is blocks else ""
                return Pagination(
                    style=style,  # type: ignore[arg-type]
                    description=(description or plain(b.text))[:800],
                    line=b.line,
                )
    return None


# --- write-back ---------------------------------------------------------------------------


def _write_entry(
    blocks: list[Block], base_url: str | None
) -> tuple[dict[str, Endpoint], list[Param], str | None]:
    eps: dict[str, Endpoint] = {}
    body: list[Param] = []
    named: str | None = None
    for b in blocks:
        if b.kind == "table":
            cols = columns(b)
            if cols.name >= 0:
                body.extend(params_from_table(b))
            continue
        if b.kind == "code":
            continue
        lbl = split_label(b.text)
        found = endpoints_in_text(b.text, b.line, base_url)
        if lbl and lbl[0] == "table_name":
            names = identifiers(lbl[1])
            named = names[0] if names else named
            continue
        if lbl and lbl[0] in ("insert", "update", "write_delete", "delete_feed") and found:
            key = {"insert": "insert", "update": "update"}.get(lbl[0], "delete")
            if found[0].method == "GET":
                continue
            eps.setdefault(key, found[0])
            continue
        if b.kind == "item" and b.text.startswith("`") and not found:
            p = param_from_item(b.text, b.line)
            if p is not None:
                body.append(p)
                continue
        for ep in found:
            key = {"POST": "insert", "PUT": "update", "PATCH": "update", "DELETE": "delete"}.get(
                ep.method
            )
            if key:
                eps.setdefault(key, ep)
    return eps, body, named


def write_backs(
    sections: list[Section], base_url: str | None
) -> list[tuple[str | None, WriteBack, int]]:
    """``(table name or None, WriteBack, line)`` for each entry of the write-back sections."""
    out: list[tuple[str | None, WriteBack, int]] = []
    for sec in sections:
        entries = sec.children or [sec]
        for entry in entries:
            blocks = entry.all_blocks() if entry is not sec else sec.blocks
            eps, body, named = _write_entry(blocks, base_url)
            if not eps and not body:
                continue
            name = named
            if name is None and entry is not sec:
                name = table_name(entry.title, entry.title_codes) or None
            wb = WriteBack(
                insert=eps.get("insert"),
                update=eps.get("update"),
                delete=eps.get("delete"),
                body_fields=body,
            )
            out.append((name, wb, entry.line))
    return out


# --- summary tables ----------------------------------------------------------------------


_PK_HEADER = re.compile(r"primary ?keys?|\bpk\b|^(?:unique |natural )?keys?$|key fields?")
#: "Response records key" and "Sort key" name other things
_NOT_PK_HEADER = re.compile(r"record|response|sort|partition|api|json|foreign")
_OPTION_COL = re.compile(r"^(?:options?|table options?|parameters?|params?|option name|setting)$")


_PARAM_HEADER = re.compile(r"\bparam(?:eter)?s?\b|\bfilters?\b")


def summary_rows(block: Block, base_url: str | None) -> list[tuple[str, dict, int]]:
    """``(table, facts, line)`` for each row of a Markdown table that lists tables.

    Facts are ``pk``, ``cursor``, ``ingestion``, ``read``, ``pagination``, ``description``,
    ``notes`` (free text, read later as prose) and ``option`` (a table option's row).
    """
    header = [plain(c.text).lower() for c in block.header]
    option_col = next((i for i, h in enumerate(header) if i and _OPTION_COL.match(h)), -1)
    out = []
    for row, line in zip(block.rows, block.row_lines, strict=False):
        if not row:
            continue
        raw = plain(row[0].text)
        if re.match(r"^[\w\-]*\*[\w\-*]*$", raw):
            names = [raw]  # a wildcard row: `Snapshot_*`
        else:
            # "Rock_and_Fluid (Sample)": the aside names something else, not the table.
            names = [c for c in row[0].codes if IDENT.match(c)] or [
                as_name(re.sub(r"\s*\([^)]*\)\s*$", "", raw) or raw)
            ]
        name = names[0] if names and names[0] else None
        if not name:
            continue
        facts: dict = {}
        if option_col >= 0:
            sub_table = Block(
                "table", line, header=block.header[option_col:], rows=[row[option_col:]]
            )
            sub_table.row_lines = [line]
            params = params_from_table(sub_table)
            if params:
                facts["option"] = params[0]
            out.append((name, facts, line))
            continue
        for h, cell in zip(header[1:], row[1:], strict=False):
            if _PK_HEADER.search(h) and not _NOT_PK_HEADER.search(h):
                keys = identifiers(cell.text)
                if keys:
                    facts["pk"] = keys
            elif classify_label(h) == "records_key":
                key = records_key_of(cell.text)
                if key:
                    facts["records_key"] = key
            elif "cursor" in h or "incremental field" in h or "replication key" in h:
                c = [] if is_none_value(cell.text) else identifiers(cell.text)
                if c:
                    # "`System.ChangedDate` or `rev`": the first, and what may stand in
                    facts["cursor"] = c if OR_AFTER_CODE.search(cell.text) else c[:1]
            elif re.search(r"ingestion|sync mode|replication|load|mode", h):
                ing = ingestion_from_text(cell.text)
                if ing:
                    facts["ingestion"] = ing
            elif re.search(r"endpoint|path|url|request", h):
                eps = endpoints_in_text(cell.text, line, base_url)
                if not eps:
                    spans = codes_in(cell.text) or [plain(cell.text)]
                    if spans and spans[0].startswith("/"):
                        eps = endpoints_in_text(f"GET {spans[0]}", line, base_url)
                if eps and ("read" not in facts or facts["read"].method != "GET"):
                    # of a row's endpoint columns ("full refresh", "incremental search"),
                    # the first plain GET lists the records
                    facts["read"] = eps[0]
            elif "paginat" in h:
                style = pagination_from_text(cell.text)
                if style:
                    facts["pagination"] = style
            elif "description" in h:
                facts["description"] = plain(cell.text)
            elif _PARAM_HEADER.search(h):
                # A list of parameter names (`since`, `user_id`) states nothing about the
                # table's keys or cursor; read as notes, its `since` would read as prose.
                continue
            elif cell.text.strip():
                facts.setdefault("notes", []).append(cell.text)
        out.append((name, facts, line))
    return out


def summary_draft(name: str, facts: dict, line: int) -> TableDraft:
    """A draft whose blocks restate a summary row as labels, so one reader handles both."""
    blocks = []
    if "pk" in facts:
        blocks.append(
            Block("item", line, "Primary key: " + ", ".join(f"`{k}`" for k in facts["pk"]))
        )
    if "cursor" in facts:
        named = " or ".join(f"`{c}`" for c in facts["cursor"])
        blocks.append(Block("item", line, f"Cursor field: {named}"))
    if "ingestion" in facts:
        blocks.append(Block("item", line, f"Ingestion type: `{facts['ingestion']}`"))
    if "read" in facts:
        ep = facts["read"]
        blocks.append(Block("item", line, f"Read endpoint: `{ep.method} {ep.path}`"))
    if "pagination" in facts:
        blocks.append(Block("item", line, f"Pagination: `{facts['pagination']}`"))
    if "records_key" in facts:
        blocks.append(Block("item", line, f"Response key: `{facts['records_key']}`"))
    if "description" in facts:
        blocks.append(Block("item", line, f"Description: {facts['description']}"))
    for note in facts.get("notes", ()):
        blocks.append(Block("note", line, note))
    options = [facts["option"]] if "option" in facts else []
    return TableDraft(
        name, line, [(b, None) for b in blocks], name_from_title=False, options=options
    )
