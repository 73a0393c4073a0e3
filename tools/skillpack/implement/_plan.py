"""From an ApiDoc to a connector plan: the source's base URL, options and authentication.

The tables are planned by ``_implement_tables``; the plan's data types live in
``_implement_model``.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

from skillpack.apidoc.models import ApiDoc, AuthMethod, Param
from skillpack.implement import _text as text
from skillpack.implement._facts import username_suffix
from skillpack.implement._model import (
    PLACEHOLDER,
    AuthPlan,
    ConnectorPlan,
    DescribePlan,
    Refs,
    TablePlan,
    Todo,
    camel,
)
from skillpack.implement._tables import (
    Parent,
    TablePlanner,
    chain_parent,
    relative_path,
    unfilled,
)

#: records per page unless the doc allows fewer
DEFAULT_PAGE_SIZE = 100
_PAGE_SIZE_OPTION = re.compile(r"(?i)^(page_?size|per_?page|limit|batch_?size)$")
_USERNAME = re.compile(r"(?i)(user|login|email|account|client_?id|key_?id)")


# --- auth and options ------------------------------------------------------------------------


def _section_at(lines: list[str], line: int | None) -> str:
    """The text from ``line`` (1-based) to the next heading of a higher or the same level."""
    if not line or line > len(lines):
        return ""
    start = line - 1
    while start > 0 and not lines[start].startswith("#"):
        start -= 1
    level = len(lines[start]) - len(lines[start].lstrip("#")) or 6
    end = start + 1
    while end < len(lines):
        head = lines[end]
        if head.startswith("#") and len(head) - len(head.lstrip("#")) <= level:
            break
        end += 1
    return "\n".join(lines[start:end])


def _auth(doc: ApiDoc, ref: Refs, lines: list[str]) -> AuthPlan:
    method: AuthMethod | None = doc.auth[0] if doc.auth else None
    if method is None:
        return AuthPlan(
            "none",
            todo=Todo(
                "auth",
                None,
                "the doc describes no authentication, so the connector sends none",
                "no authentication in the doc",
                None,
                False,
            ),
        )
    secrets = [p.name for p in method.fields if p.secret]
    plain = [p.name for p in method.fields if not p.secret]
    if method.kind == "none":
        return AuthPlan("none")
    if method.kind == "client" and method.client is not None:
        return AuthPlan("client", {a: a for a in method.client.args}, client=method.client)
    if method.kind == "bearer":
        token = secrets[0] if secrets else "api_token"
        scheme = text.authorization_scheme(method.description)
        if scheme and scheme.lower() != "bearer":
            return AuthPlan("api_key", {"key": token}, header="Authorization", prefix=f"{scheme} ")
        return AuthPlan("bearer", {"token": token})
    if method.kind == "api_key":
        name, location = text.header_name(method.description)
        return AuthPlan(
            "api_key",
            {"key": secrets[0] if secrets else "api_key"},
            header=name or "X-Api-Key",
            location=location,
        )
    if method.kind == "basic":
        user = next((n for n in plain if _USERNAME.search(n)), "username")
        todo = None
        if not method.fields:
            todo = Todo(
                "auth",
                None,
                "basic authentication with no parameters listed: assumed the options "
                "`username` and `password`",
                "auth options assumed",
                method.line,
                False,
            )
        password = secrets[0] if secrets else "password"
        return AuthPlan("basic", {"username": user, "password": password}, todo=todo)
    if method.kind in ("oauth2_refresh_token", "oauth2_client_credentials"):
        token_url = text.token_url(method.description) or text.token_url(
            _section_at(lines, method.line)
        )
        names = ["client_id", "client_secret"]
        kind = "oauth2_client"
        if method.kind == "oauth2_refresh_token":
            names.append("refresh_token")
            kind = "oauth2_refresh"
        if token_url is None:
            names.insert(0, "token_url")
        # a token URL's `{tenant_id}` is the person's to give, like any other option
        names += [n for n in PLACEHOLDER.findall(token_url or "") if n not in names]
        return AuthPlan(kind, {n: n for n in names}, token_url=token_url)
    return AuthPlan(
        "unsupported",
        # `_auth` will need them; listing them makes the connector ask for them up front
        {p.name: p.name for p in method.fields if p.name != "base_url"},
        todo=Todo(
            "auth",
            None,
            f"authentication `{method.kind}` has no SDK helper: return a requests auth object "
            f"from `_auth` ({ref(method.line)})",
            f"authentication `{method.kind}`; {ref(method.line)}",
            method.line,
            True,
        ),
    )


def _params(doc: ApiDoc) -> list[Param]:
    seen: dict[str, Param] = {}
    for p in [*(f for m in doc.auth[:1] for f in m.fields), *doc.connection_params]:
        seen.setdefault(p.name, p)
    return list(seen.values())


#: parser warnings that leave a table's fact open, by the fact they leave open
_OPEN_FACT_WORDS = {
    "primary_keys": "decide the primary key: the fields that identify a record",
    "cursor_field": "decide the cursor: the record field that orders changes (not a paging "
    "token nor a window bound)",
    "read_endpoint": "decide the endpoint that lists the records",
}
_GUESS_WORDS = {
    "primary_keys": "primary key",
    "cursor_field": "cursor field",
    "ingestion_type": "ingestion type",
}


def _needed(plan: TablePlan, fact: str) -> str:
    """Why an open fact stops the run: the table's ingestion type cannot go without it.

    A table other than ``append`` declares primary keys, and a ``cdc`` one a cursor; left
    empty, the connector's metadata is one the framework refuses, so no test could pass.
    """
    kind = plan.ingestion_type
    if fact == "primary_keys" and kind != "append" and not plan.primary_keys:
        return f"; a `{kind}` table cannot go without one"
    if fact == "cursor_field" and kind in ("cdc", "cdc_with_deletes") and not plan.cursor_field:
        return f"; a `{kind}` table cannot go without one"
    return ""


#: parser warnings that settle a fact with a guess: what to confirm, and the short form
_SETTLED_GUESSES = {
    "read-endpoint-from-template": (
        "confirm the table's endpoint against the API",
        "read endpoint derived",
    ),
    "stated-no-cursor": (
        "confirm, or name the field that orders the changes",
        "read as a snapshot",
    ),
}


def _open_facts(doc: ApiDoc, tables: list) -> None:
    """Add to each table's plan a to-do for every fact the parser left open or guessed."""
    by_name = {t.name: t for t in tables}
    for w in doc.warnings:
        plan = by_name.get(w.table or "")
        if plan is None:
            continue
        if w.code in _SETTLED_GUESSES:
            ask, short = _SETTLED_GUESSES[w.code]
            plan.notes.append(
                Todo(
                    f"{w.table}:{w.field}",
                    w.table,
                    f"{w.message}: {ask}",
                    short,
                    w.line,
                    False,
                    field=w.field,
                    candidates=tuple(w.candidates),
                    guessed=True,
                )
            )
            continue
        if w.field not in _OPEN_FACT_WORDS:
            continue
        if w.field == "read_endpoint" and plan.todo is not None:
            continue  # the planner's own to-do for the read says more
        seen = f"; candidates seen: {', '.join(w.candidates)}" if w.candidates else ""
        needed = _needed(plan, w.field)
        plan.notes.append(
            Todo(
                f"{w.table}:{w.field}",
                w.table,
                f"{_OPEN_FACT_WORDS[w.field]} ({w.message}{seen})" + needed,
                f"{w.field} open",
                w.line,
                bool(needed),
                field=w.field,
                candidates=tuple(w.candidates),
            )
        )
    for t in doc.tables:
        plan = by_name.get(t.name)
        if plan is None:
            continue
        values = {
            "primary_keys": ", ".join(t.primary_keys),
            "cursor_field": t.cursor_field or "",
            "ingestion_type": t.ingestion_type,
        }
        for fact in t.inferred:
            value = values.get(fact, "")
            plan.notes.append(
                Todo(
                    f"{t.name}:{fact}",
                    t.name,
                    f"the {_GUESS_WORDS.get(fact, fact)} `{value}` is a guess: the doc does not "
                    "state it; confirm it against the API",
                    f"{fact} guessed",
                    t.line,
                    False,
                    field=fact,
                    candidates=(value,) if value else (),
                    guessed=True,
                )
            )


#: facts of a table's metadata
_METADATA_FACTS = ("primary_keys", "cursor_field", "ingestion_type")


def _describe(
    doc: ApiDoc, tables: list[TablePlan], base_path: str, ref: Refs
) -> DescribePlan | None:
    """What the connector asks the API about its tables, when the doc names the endpoints.

    The API's answer comes first at run time; the doc's columns and keys are kept for a table
    it does not describe (404). A column list or key the doc leaves open is then no stop:
    its to-do becomes a note that the API settles it, which the suite confirms.
    """
    found = doc.describe
    if found is None or (found.schema_endpoint is None and found.metadata_endpoint is None):
        return None
    schema = found.schema_endpoint
    metadata = found.metadata_endpoint
    plan = DescribePlan(
        schema_path=relative_path(schema.path, base_path) if schema else None,
        metadata_path=relative_path(metadata.path, base_path) if metadata else None,
        types=dict(found.types),
        line=found.types_line,
    )
    by_name = {t.name: t for t in doc.tables}
    # the endpoint that settles each fact the doc may leave open
    settled = {"schema": schema, **dict.fromkeys(_METADATA_FACTS, metadata)}
    for t in tables:
        source = by_name[t.name]
        values = {
            "primary_keys": source.primary_keys,
            "cursor_field": source.cursor_field,
            "ingestion_type": source.ingestion_type,
        }
        t.stated = [f for f in _METADATA_FACTS if values[f] and f not in source.inferred]
        if schema is not None and not source.fields:
            t.fields = []  # no stand-in columns: the API lists them
        for note in t.notes:
            ep = settled.get(note.fact)
            if ep is None:
                continue
            what = "columns" if note.fact == "schema" else note.fact.replace("_", " ")
            how = (
                "set at run time from the cursor field the API states (`cdc` with one, "
                "`snapshot` without)"
                if note.fact == "ingestion_type"
                else "read at run time"
            )
            note.what = (
                f"the doc leaves the {what} of `{t.name}` to the API: {how} from "
                f"`{ep.method} {ep.path}` ({ref(ep.line)}); the suite checks what it answers"
            )
            note.short = f"{note.fact} read from the API"
            note.blocking = False
            note.guessed = True
    return plan


def _parents(doc: ApiDoc, options: set[str]) -> dict[str, Parent]:
    """Path placeholders a table's records can fill: ``customer_id`` -> (``customers``, ``id``,
    the placeholders of the customers' own path).

    A table qualifies when it has one primary key and a read endpoint needing nothing but
    connection options and placeholders other tables fill (a chain: channels read per team,
    messages per channel of a team); it answers to ``{singular}_{key}`` and ``{table}_{key}``
    (and to its key's own name when that is not a bare ``id``).
    """
    found: dict[str, Parent] = {}
    qualified: set[str] = set()
    # `survey_pages` also answers to `{page_id}` (its last word), when no other table ends
    # in that word and no table is named so outright
    last = Counter(_singular(t.name.rsplit("_", 1)[-1]) for t in doc.tables)
    whole = {_singular(t.name) for t in doc.tables}
    grew = True
    while grew:
        grew = False
        for t in doc.tables:
            ep = t.read_endpoint
            if ep is None or len(t.primary_keys) != 1 or t.name in qualified:
                continue
            holes = unfilled(ep.path, options)
            if holes and chain_parent(holes, found, t.name) is None:
                continue
            qualified.add(t.name)
            key = t.primary_keys[0]
            singular = _singular(t.name)
            names = [f"{singular}_{key}", f"{t.name}_{key}", *([key] if key != "id" else [])]
            word = _singular(t.name.rsplit("_", 1)[-1])
            if "_" in t.name and last[word] == 1 and word not in whole:
                names.append(f"{word}_{key}")
            for name in names:
                if name not in found and name not in options:
                    found[name] = Parent(t.name, key, frozenset(holes))
                    grew = True
    return found


def _singular(name: str) -> str:
    return name[:-3] + "y" if name.endswith("ies") else name.removesuffix("s")


def _path_options(doc: ApiDoc, options: set[str]) -> dict[str, int | None]:
    """Read-path placeholders no option names and no table could fill, with their first line.

    A table fills a placeholder named after it (``{customer_id}``, see :func:`_parents`)
    once its own path needs only options; any other placeholder can only come from the
    person configuring the source, so it is a connection option.
    """
    held = {
        n for t in doc.tables if t.read_endpoint for n in PLACEHOLDER.findall(t.read_endpoint.path)
    }
    found: dict[str, int | None] = {}
    for t in doc.tables:
        ep = t.read_endpoint
        for name in PLACEHOLDER.findall(ep.path) if ep else ():
            if name in options or name in found:
                continue
            # a table whose own path needs the placeholder cannot be what fills it
            if name not in _parents(doc, options | held - {name}):
                found[name] = ep.line or t.line
    return found


def plan_connector(
    source: str, doc: ApiDoc, lines: list[str], doc_name: str, *, keep_hosts: bool = False
) -> ConnectorPlan:
    """Decide everything the generated connector, simulator spec and test file need.

    ``keep_hosts``: a read the doc puts on another host than the base URL keeps its absolute
    URL. Only where the simulator answers by path whatever the host (a checkout's); the
    standalone simulator stands in for the base URL alone, so there such a read stays a
    to-do rather than a request no simulator answers.
    """
    ref = Refs(doc_name)
    params = _params(doc)
    names = {p.name for p in params}
    auth = _auth(doc, ref, lines)
    # A source reached through a Python client has no host: requests stay in the process.
    base_url = None if auth.kind == "client" else doc.base_url
    holes = PLACEHOLDER.findall(base_url) if base_url else []
    fillable = bool(holes) and all(n in names for n in holes)
    base_url_required = auth.kind != "client" and (
        base_url is None or (bool(holes) and not fillable)
    )
    notes: list[Todo] = []
    if base_url is None and auth.kind != "client":
        # No line states it; point at where the template asks for it: beside the
        # authentication, else the document's start.
        at = next((m.line for m in doc.auth if m.line), None) or 1
        notes.append(
            Todo(
                "base_url",
                None,
                "the doc states no base URL, so the `base_url` option is required: state "
                f"`Base URL: https://...` beside the authentication ({ref(at)})",
                "no base URL in the doc",
                at,
                False,
                field="base_url",
            )
        )
    base_path = urlsplit(base_url).path.rstrip("/") if base_url else ""
    if "{" in base_path:
        base_path = ""
    for name, line in _path_options(doc, names).items():
        names.add(name)
        notes.append(
            Todo(
                f"option:{name}",
                None,
                f"read paths need `{{{name}}}`, which the doc names no option and no table's "
                f"records fill: it is the required connection option `{name}` ({ref(line)}: "
                "confirm, or name the table whose records give it)",
                f"`{name}` made an option",
                line,
                False,
                field=name,
                guessed=True,
            )
        )
    planner = TablePlanner(
        text.DocText(lines, doc),
        ref,
        base_path,
        names,
        base_url,
        _parents(doc, names),
        keep_hosts=keep_hosts,
    )
    tables = [planner.plan(t) for t in doc.tables]
    if auth.kind == "basic":
        auth.username_suffix = username_suffix(doc, lines) or ""
    path_options = sorted(
        {n for t in tables if t.path for n in PLACEHOLDER.findall(t.path) if n in names}
    )
    base_url_options = holes if fillable else []
    used = [*auth.options.values(), *path_options, *base_url_options]
    required = ["base_url"] if base_url_required else []
    required += [n for n in dict.fromkeys(used) if n != "token_url" or auth.token_url is None]
    page_option = next((p.name for p in params if _PAGE_SIZE_OPTION.match(p.name)), None)
    for p in params:
        if p.required and p.name not in {*required, "base_url", page_option}:
            required.append(p.name)
            notes.append(
                Todo(
                    f"option:{p.name}",
                    None,
                    f"option `{p.name}` is required by the doc, but nothing in the generated "
                    "code uses it: send it where the API expects it",
                    f"`{p.name}` unused",
                    p.line,
                    False,
                )
            )
    _open_facts(doc, tables)
    describe = _describe(doc, tables, base_path, ref)
    limits = [
        text.max_page_size(t.read_endpoint.query_params) for t in doc.tables if t.read_endpoint
    ]
    return ConnectorPlan(
        source=source,
        class_name=f"{camel(source)}LakeflowConnect",
        doc_name=doc_name,
        base_url=None if base_url_required else base_url,
        base_path=base_path,
        base_url_required=base_url_required,
        base_url_options=base_url_options,
        auth=auth,
        required=list(dict.fromkeys(required)),
        page_size_option=page_option,
        page_size=min([DEFAULT_PAGE_SIZE, *(n for n in limits if n)]),
        path_options=path_options,
        tables=tables,
        notes=notes,
        describe=describe,
    )
