"""Render a ConnectorPlan as the connector module: the ``_TABLES`` data plus a small class.

The class is the same for every source (the shape of ``example.py``); only the parts a plan
needs are emitted (placeholder filling, flagged deletes, record-path discovery, the paginator
branches in use). Lines are laid out as ruff formats them (``_implement_format``), so the
module passes ``ruff format --check`` and regenerating it changes nothing.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

from skillpack.flavour import Flavour
from skillpack.implement import _templates as tpl
from skillpack.implement._format import Call, Dict, List, Raw, Writer, literal
from skillpack.implement._model import ConnectorPlan, FieldNode, TablePlan

#: the first line of every generated file; the digest tells whether it was edited since
DIGEST_PREFIX = "# skillpack:generated sha256="
DIGEST_NOTE = "; do not edit this line"
_TYPES = {
    "string": "StringType",
    "bigint": "LongType",
    "double": "DoubleType",
    "boolean": "BooleanType",
    "date": "DateType",
    "timestamp": "TimestampType",
    "binary": "BinaryType",
}
#: the SDK helper of each OAuth grant
_OAUTH_HELPERS = {
    "oauth2_refresh": "OAuth2RefreshTokenAuth",
    "oauth2_client": "OAuth2ClientCredentialsAuth",
}
_PAGINATORS = {
    "cursor": "CursorPaginator",
    "offset": "OffsetPaginator",
    "page_number": "PageNumberPaginator",
    "next_url_header": "HeaderNextUrlPaginator",
    "next_url_body": "BodyNextUrlPaginator",
    "link_header": "LinkHeaderPaginator",
    "follow": "FollowNextPaginator",
}


@dataclass
class Rendered:
    """The module text and the 1-based line of each to-do's anchor."""

    text: str
    lines: dict[str, int]
    #: the SDK names the module uses, by SDK module (whatever the flavour imports them from)
    sdk_names: dict[str, set[str]] = field(default_factory=dict)


# --- schema expressions ----------------------------------------------------------------------


#: the column kinds a checkout that keeps dates and times as text declares as strings
TIME_KINDS = frozenset({"timestamp", "date"})


def _type(node: FieldNode, used: set[str], text: frozenset[str] = frozenset()) -> Any:
    kind = "string" if node.type in text else node.type
    if kind == "struct":
        if node.children:
            used.update(("StructType", "StructField"))
            fields = tuple(_field(c, used, text) for c in node.children)
            return Call("StructType", (List(fields),))
        used.add("StringType")  # an object the doc does not describe: kept as JSON text
        return Call("StringType")
    if kind == "array":
        used.add("ArrayType")
        element = FieldNode(node.name, node.element or "string", children=node.children)
        return Call("ArrayType", (_type(element, used, text), True))
    if kind == "map":
        used.update(("MapType", "StringType"))
        return Call("MapType", (Call("StringType"), Call("StringType"), True))
    if kind == "decimal":
        used.add("DecimalType")
        return Call("DecimalType", (38, 10))
    name = _TYPES.get(kind, "StringType")
    used.add(name)
    return Call(name)


def _field(node: FieldNode, used: set[str], text: frozenset[str] = frozenset()) -> Call:
    used.add("StructField")
    return Call("StructField", (node.name, _type(node, used, text), node.nullable))


def _schema(table: TablePlan, used: set[str], text: frozenset[str] = frozenset()) -> Call:
    used.add("StructType")
    return Call("StructType", (List(tuple(_field(f, used, text) for f in table.fields)),))


# --- the table entries -----------------------------------------------------------------------


def _pagination(table: TablePlan) -> Any:
    p = table.pagination
    if p is None:
        return None
    items: list[tuple[Any, Any, Any]] = [("style", p.style, None)]
    items += [(k, v, None) for k, v in p.args.items()]
    if p.limit_param:
        items.append(("limit_param", p.limit_param, None))
    return Dict(tuple(items))


def _deletes(table: TablePlan) -> Any:
    if table.deletes_todo is not None:
        return Dict((("todo", table.deletes_todo.short, table.deletes_todo.key),))
    d = table.deletes
    if d is None:
        return None
    items: list[tuple[Any, Any, Any]] = []
    if d.path is not None:
        items.append(("path", d.path, None))
    if d.params:
        items.append(("params", Dict(tuple((k, v, None) for k, v in d.params.items())), None))
    if d.flag_field is not None:
        items.append(("flag_field", d.flag_field, None))
    items.append(("since_param", d.since_param, f"{table.name}:deletes.since_param"))
    if d.since_prefix:
        items.append(("since_prefix", d.since_prefix, None))
    items.append(("cursor_field", d.cursor_field, f"{table.name}:deletes.cursor_field"))
    if d.first_cursor is not None:
        items.append(("first_cursor", d.first_cursor, None))
    return Dict(tuple(items))


def _entry(
    table: TablePlan, used: set[str], described: bool = False, text: frozenset[str] = frozenset()
) -> Dict:
    name = table.name
    meta = Dict(
        (
            ("primary_keys", List(tuple(table.primary_keys)), None),
            ("cursor_field", table.cursor_field, None),
            ("ingestion_type", table.ingestion_type, None),
        )
    )
    # A table the API describes may leave its columns to it (None until asked).
    schema = None if described and not table.fields else _schema(table, used, text)
    items: list[tuple[Any, Any, Any]] = [
        ("schema", schema, f"{name}:schema"),
        ("metadata", meta, None),
        ("path", table.path, None),
        ("records_path", table.records_path, None),
        *((("method", table.method, None),) if table.method != "GET" else ()),
        ("pagination", _pagination(table), None),
        ("since_param", table.since_param, f"{name}:since_param"),
        *((("since_prefix", table.since_prefix, None),) if table.since_prefix else ()),
        ("options", List(tuple(table.options)), None),
        ("deletes", _deletes(table), f"{name}:deletes"),
    ]
    if table.required_options:
        items.append(("required_options", List(tuple(table.required_options)), None))
    if table.sources:
        items.append(("sources", Dict(tuple((k, v, None) for k, v in table.sources.items())), None))
    if table.parent is not None:
        parent = table.parent
        fan_out = (("table", parent.table, None), ("key", parent.key, None))
        items.append(("parent", Dict((*fan_out, ("placeholder", parent.placeholder, None))), None))
    if described:
        items.append(("stated", List(tuple(table.stated)), None))
    if table.todo is not None:
        items.append(("todo", table.todo.short, table.todo.key))
    return Dict(tuple(items))


# --- the module ------------------------------------------------------------------------------


def _tables_phrase(plan: ConnectorPlan) -> str:
    names = [t.name for t in plan.tables]
    if len(names) > 4:
        return f"{len(names)} tables"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _patched(template: str, old: str, new: str) -> str:
    """``template`` with the code ``old`` (there at least once) written as ``new``."""
    if old not in template:
        raise AssertionError(f"template lacks {old!r}")  # a template edited out of step
    return template.replace(old, new)


def _exchange_options(plan: ConnectorPlan) -> list[str]:
    """The options only the OAuth exchange uses (a given token makes them unneeded)."""
    elsewhere = {*plan.path_options, *plan.base_url_options}
    return [n for n in plan.auth.options.values() if n not in elsewhere]


def _auth_expr(plan: ConnectorPlan, imports: dict[str, set[str]]) -> Any:
    auth = plan.auth
    o = auth.options
    sdk = imports.setdefault("skillpack.sdk.auth", set())
    if auth.kind == "bearer":
        sdk.add("BearerAuth")
        return Call("BearerAuth", (Raw(f"options[{literal(o['token'])}]"),))
    if auth.kind == "api_key":
        sdk.add("ApiKeyAuth")
        kwargs: list[tuple[str, Any]] = [("name", auth.header or "X-Api-Key")]
        if auth.location != "header":
            kwargs.append(("location", auth.location))
        if auth.prefix:
            kwargs.append(("prefix", auth.prefix))
        return Call("ApiKeyAuth", (Raw(f"options[{literal(o['key'])}]"),), tuple(kwargs))
    if auth.kind == "basic":
        sdk.add("BasicAuth")
        user, password = literal(o["username"]), literal(o["password"])
        name = Raw(f"str(options[{user}])")
        if auth.username_suffix:
            # the doc's username is the option followed by a fixed suffix (`email/token`)
            name = Raw(f"str(options[{user}]) + {literal(auth.username_suffix)}")
        return Call("BasicAuth", (name, Raw(f"options[{password}]")))
    if auth.oauth:
        helper = _OAUTH_HELPERS[auth.kind]
        sdk.add(helper)
        # a token URL with `{tenant_id}` in it is filled from the options
        default = (
            "_TOKEN_URL.format_map(options)" if "{" in (auth.token_url or "") else "_TOKEN_URL"
        )
        url = (
            Call("str", (Raw(f'options.get("token_url") or {default}'),))
            if auth.token_url
            else Raw('str(options["token_url"])')
        )
        kwargs: tuple[tuple[str, Any], ...] = (
            ("token_url", url),
            ("client_id", Raw('str(options["client_id"])')),
            ("client_secret", Raw('options["client_secret"]')),
        )
        if auth.kind == "oauth2_refresh":
            kwargs += (("refresh_token", Raw('options["refresh_token"]')),)
        else:
            kwargs += (("scopes", Raw('options.get("scope")')),)
        return Call(helper, kwargs=kwargs)
    if not sdk:
        del imports["skillpack.sdk.auth"]
    if auth.kind == "client":
        client = auth.client
        imports["skillpack.sdk.inprocess"] = {"IN_PROCESS_BASE_URL", "InProcessSession"}
        imports[client.module] = {client.factory}
        return None
    if auth.kind == "unsupported":
        return Raw("self._auth(options)")
    return None


def _base_url_expr(plan: ConnectorPlan) -> Raw:
    if plan.base_url_required:
        return Raw('str(options["base_url"])')
    if plan.base_url_options:
        return Raw('str(options.get("base_url") or _BASE_URL.format_map(host))')
    return Raw('str(options.get("base_url") or _BASE_URL)')


def _isort_key(name: str) -> tuple[int, str]:
    """isort's order-by-type: CONSTANTS, then Classes, then functions."""
    if name.isupper() and len(name) > 1:
        return (0, name)
    return (1, name) if name[:1].isupper() else (2, name)


def _sdk_names(
    plan: ConnectorPlan,
    types: set[str],
    extra: dict[str, set[str]],
    text: frozenset[str] = frozenset(),
) -> tuple[list[str], dict[str, set[str]]]:
    """The standard-library imports and the SDK names (by SDK module) the module uses."""
    styles = {t.pagination.style for t in plan.tables if t.pagination}
    tracked = plan.tracks_cursors
    found = any(t.records_path is None for t in plan.tables)
    stdlib = ["from collections.abc import Iterator", "from typing import Any"]
    fans_out = any(t.parent for t in plan.tables)
    if plan.describe is not None:
        stdlib.insert(0, "import re")
    if plan.path_options or fans_out or plan.describe is not None:
        stdlib.append("from urllib.parse import quote")
    ours: dict[str, set[str]] = {
        "skillpack.errors": {"ConfigError"},
        "skillpack.sdk.connector": {"LakeflowConnect", "unknown_table"},
        "skillpack.sdk.http": {"RestClient"},
        "skillpack.sdk.pagination": {"Paginator", "SinglePage"}
        | {_PAGINATORS[s] for s in styles if s in _PAGINATORS},
        "skillpack.sdk.records": {"conform"} | ({"find_records_path"} if found else set()),
        "skillpack.sdk.schema": types | {"StructType"},
        **extra,
    }
    has_deletes = any(t.deletes or t.deletes_todo for t in plan.tables)
    if tracked or has_deletes:
        ours["skillpack.sdk.offsets"] = {"CursorTracker", "cursor_from_offset"}
    if fans_out:
        ours["skillpack.sdk.mixins"] = {"SupportsPartition"}
    if tracked:
        ours["skillpack.sdk.offsets"].add("advance_offset")
        ours["skillpack.sdk.window"] = {"ReadWindow"}
    if plan.describe is not None:
        ours["skillpack.errors"].add("SourceError")
        ours["skillpack.sdk.schema"] |= {"ArrayType", "StringType", "StructField"}
        ours["skillpack.sdk.schema"] |= {_TYPES[t] for t in _api_types(plan, text).values()}
    return stdlib, ours


#: type names an API description commonly uses, under the ones the doc maps itself
_COMMON_API_TYPES = {
    "string": "string", "str": "string", "text": "string",
    "integer": "bigint", "int": "bigint", "long": "bigint", "bigint": "bigint",
    "double": "double", "float": "double", "number": "double",
    "boolean": "boolean", "bool": "boolean",
    "date": "date", "timestamp": "timestamp", "datetime": "timestamp",
}  # fmt: skip


def _api_types(plan: ConnectorPlan, text: frozenset[str] = frozenset()) -> dict[str, str]:
    """API type name -> Spark type name, for the scalar types of an API's descriptions."""
    assert plan.describe is not None
    merged = {**_COMMON_API_TYPES, **plan.describe.types}
    return {k: "string" if v in text else v for k, v in sorted(merged.items()) if v in _TYPES}


def _imports(stdlib: list[str], ours: dict[str, set[str]], flavour: Flavour | None) -> list[str]:
    """The import block, as ruff's isort rules order it in the flavour's workspace."""
    # The flavour says where each SDK name comes from in this workspace.
    wanted: dict[str, set[str]] = {}
    for module, names in ours.items():
        for name in names:
            target = flavour.module_for(module, name) if flavour else module
            wanted.setdefault(target, set()).add(name)
    first = {
        m for m in wanted if (flavour.is_first_party(m) if flavour else m.startswith("skillpack"))
    }
    lines = ["from __future__ import annotations", "", *stdlib]
    for block in (sorted(set(wanted) - first), sorted(first)):
        if block:
            lines.append("")
        for module in block:
            names = sorted(wanted[module], key=_isort_key)
            one = f"from {module} import {', '.join(names)}"
            if len(one) <= 88:
                lines.append(one)
            else:
                lines += [f"from {module} import ("] + [f"    {n}," for n in names] + [")"]
    return lines


def render_connector(plan: ConnectorPlan, flavour: Flavour | None = None) -> Rendered:
    """The connector module for ``plan`` (its first line holds a digest placeholder).

    ``flavour`` decides where the SDK names come from (default: the SDK itself).
    """
    w = Writer()
    w.line(DIGEST_PREFIX + "0" * 16 + DIGEST_NOTE)
    w.block(_module_docstring(plan, flavour))
    w.line()
    types: set[str] = set()
    described = plan.describe is not None
    text = TIME_KINDS if flavour is not None and flavour.times_as_text else frozenset()
    entries = [(t, _entry(t, types, described, text)) for t in plan.tables]
    auth_imports: dict[str, set[str]] = {}
    auth = _auth_expr(plan, auth_imports)
    exchange = None
    if plan.auth.oauth:
        # the OAuth exchange goes in a function of its own, used when no token is given
        exchange, auth = auth, Raw("_auth(options)")
        auth_imports["skillpack.sdk.auth"].add("BearerAuth")
    stdlib, sdk_names = _sdk_names(plan, types, auth_imports, text)
    for line in _imports(stdlib, sdk_names, flavour):
        w.line(line)
    w.line()
    if plan.base_url and not plan.base_url_required:
        w.line(f"_BASE_URL = {literal(plan.base_url)}")
    if plan.auth.oauth and plan.auth.token_url:
        w.line(f"_TOKEN_URL = {literal(plan.auth.token_url)}")
    w.expr(List(tuple(plan.required)), prefix="_REQUIRED_OPTIONS = ", anchor="required")
    if exchange is not None:
        w.expr(List(tuple(_exchange_options(plan))), prefix="_OAUTH_OPTIONS = ")
    w.line(f"_PAGE_SIZE = {plan.page_size}")
    w.line()
    w.block(tpl.TABLES_COMMENT)
    w.expr(
        Dict(tuple((t.name, e, None) for t, e in entries)),
        prefix="_TABLES: dict[str, dict[str, Any]] = ",
    )
    if plan.describe is not None:
        _describe_data(w, plan, text)
    w.line()
    w.line()
    _class(w, plan, auth)
    w.line()
    w.line()
    _paginator(w, plan)
    if exchange is not None:
        w.line()
        w.line()
        w.block(tpl.OAUTH_FN_HEAD)
        w.expr(exchange, prefix="return ", indent="    ")
    if plan.describe is not None:
        w.line()
        w.line()
        w.block(tpl.DESCRIBE_FUNCTIONS)
    if plan.page_size_option:
        w.line()
        w.line()
        w.block(tpl.PAGE_SIZE_FN.format(option=plan.page_size_option))
    if any(t.parent for t in plan.tables):
        w.line()
        w.line()
        w.block(tpl.FILLED_FN)
    lines = {str(k): v for k, v in w.anchors.items()}
    return Rendered(w.text(), lines, sdk_names)


def _describe_data(w: Writer, plan: ConnectorPlan, text: frozenset[str] = frozenset()) -> None:
    """``_DESCRIBE``, ``_API_TYPES`` and ``_TABLE_HOLE``: where and how the API describes a
    table at run time."""
    d = plan.describe
    assert d is not None
    w.line("# The API describes each table itself: its columns and its keys and cursor")
    at = f" (see {plan.doc_name} line {d.line})" if d.line else ""
    w.expr(
        Dict((("schema_path", d.schema_path, None), ("metadata_path", d.metadata_path, None))),
        prefix="_DESCRIBE: dict[str, str | None] = ",
    )
    w.line(f"# the types its descriptions name, as schema types{at}")
    w.expr(
        Dict(tuple((k, Raw(_TYPES[v]), None) for k, v in _api_types(plan, text).items())),
        prefix="_API_TYPES: dict[str, Any] = ",
    )
    w.line('_TABLE_HOLE = re.compile(r"\\{[^{}/]+\\}")')


def _module_docstring(plan: ConnectorPlan, flavour: Flavour | None) -> str:
    if flavour is None or not flavour.upstream:
        return f'''"""Connector for the `{plan.source}` source: {_tables_phrase(plan)}.

Generated by `skillpack tool implement_connector` from {plan.doc_name}.
The tables are data (`_TABLES`); the class reads them with the SDK's REST toolkit,
which brings timeouts, retries, pagination and cursor offsets. The tool rewrites this
file only while it is unedited (the digest on the first line says so); once edited, it
is left alone unless the tool is run with `overwrite: true`.
"""'''
    body = (
        f"Generated by `skillpack tool implement_connector` from {plan.doc_name}. The tables "
        "are data (`_TABLES`); the class reads them with the REST helpers of "
        f"`{plan.source}_utils.py`, which bring timeouts, retries, pagination and cursor "
        "offsets. The tool rewrites this file only while it is unedited (the digest on the "
        "first line says so); once edited, it is left alone unless the tool is run with "
        "`overwrite: true`."
    )
    wrapped = "\n".join(textwrap.wrap(body, width=88, break_on_hyphens=False))
    head = f"Connector for the `{plan.source}` source: {_tables_phrase(plan)}."
    return f'''"""{head}\n\n{wrapped}\n"""'''


def _class(w: Writer, plan: ConnectorPlan, auth: Any) -> None:
    tables = _tables_phrase(plan)
    bases = "LakeflowConnect, SupportsPartition" if any(t.parent for t in plan.tables) else ""
    w.line(f"class {plan.class_name}({bases or 'LakeflowConnect'}):")
    w.line(f'    """Reads the `{plan.source}` source: {tables}."""')
    w.line()
    oauth = tpl.OAUTH_TOKEN_GIVEN if plan.auth.oauth else ""
    w.block(tpl.INIT_HEAD.replace("{oauth}", oauth))
    if plan.page_size_option:
        w.line(
            f"        self._page_size = _page_size(options.get({literal(plan.page_size_option)}))"
        )
    else:
        w.line("        self._page_size = _PAGE_SIZE")
    if plan.path_options:
        w.line("        # values of the `{name}` placeholders in endpoint paths")
        values = Dict(
            tuple(
                (n, Raw(f'quote(str(options[{literal(n)}]), safe="")'), None)
                for n in plan.path_options
            )
        )
        w.expr(values, prefix="self._path_values = ", indent="        ")
    if plan.base_url_options:
        w.line("        # the `{name}` placeholders of the base URL, from the options")
        values = Dict(
            tuple((n, Raw(f"options[{literal(n)}]"), None) for n in plan.base_url_options)
        )
        w.expr(values, prefix="host = ", indent="        ")
    if plan.auth.kind == "client":
        _client_from_factory(w, plan)
    else:
        w.expr(
            Call("RestClient", (_base_url_expr(plan),), (("auth", auth), ("timeout", 30.0))),
            prefix="self._client = ",
            indent="        ",
            anchor="client",
        )
    if plan.tracks_cursors:
        w.line("        # Each run reads a table up to the newest change its first read saw, so it")
        w.line("        # ends while the source keeps changing; later changes are the next run's.")
        w.line("        self._window = ReadWindow()")
    if plan.describe is not None:
        w.line("        # each table's entry completed by the API's description, on first use")
        w.line("        self._described: dict[str, dict[str, Any]] = {}")
    if any(t.records_path is None for t in plan.tables):
        w.line("        # where each endpoint keeps its records, found on first use")
        w.line("        self._records_paths: dict[str, str | None] = {}")
    if plan.auth.kind == "unsupported":
        todo = plan.auth.todo
        assert todo is not None
        w.line()
        w.line("    def _auth(self, options: dict[str, Any]) -> Any:")
        w.line('        """The requests auth object for every call."""')
        w.expr(
            Call("NotImplementedError", (todo.short,)),
            prefix="raise ",
            indent="        ",
            anchor=todo.key,
        )
    w.line()
    if plan.describe is not None:
        w.block(tpl.CONTRACT)
        w.line()
        w.block(tpl.DESCRIBED_TABLE)
    else:
        w.block(tpl.METHODS)
    w.line()
    w.block(tpl.TABLE_PARAMS)
    w.line()
    read_table = tpl.READ_TABLE if plan.tracks_cursors else tpl.READ_SNAPSHOTS
    if any(t.since_prefix for t in plan.tables):
        # "_lastUpdated=gt{cursor}": the doc's operator goes before the cursor
        read_table = _patched(read_table, tpl.SEND_CURSOR, tpl.SEND_PREFIXED_CURSOR)
    w.block(read_table)
    if any(t.deletes or t.deletes_todo for t in plan.tables):
        w.line()
        flagged = any(t.deletes and t.deletes.flag_field for t in plan.tables)
        deletes = tpl.READ_DELETES_FLAGGED if flagged else tpl.READ_DELETES
        if any(t.deletes and t.deletes.since_prefix for t in plan.tables):
            deletes = _patched(deletes, tpl.SEND_FEED_CURSOR, tpl.SEND_PREFIXED_FEED_CURSOR)
        w.block(deletes)
    w.line()
    flagged = any(t.deletes and t.deletes.flag_field for t in plan.tables)
    per_parent = any(t.parent for t in plan.tables)
    if per_parent:
        read = tpl.READ_PER_PARENT_FLAGGED if flagged else tpl.READ_PER_PARENT
    else:
        read = tpl.READ_FLAGGED if flagged else tpl.READ
    if any(t.sources for t in plan.tables):
        # columns the doc says come from a nested path are filled from it
        read = _patched(read, tpl.CONFORM, tpl.CONFORM_WITH_SOURCES)
    w.block(read)
    if per_parent:
        w.line()
        w.block(tpl.PARTITIONS_PER_PARENT)
    w.line()
    w.block(tpl.FETCH_HEAD)
    if plan.path_options:
        w.line("        path = path.format_map(self._path_values)")
    w.block(tpl.FETCH_PAGING)
    # a table read by POST: the method goes with each request (GET-only code stays as is)
    posts = any(t.method != "GET" for t in plan.tables)

    def by_method(template: str, edits: tuple[tuple[str, str], ...]) -> str:
        for old, new in edits if posts else ():
            template = _patched(template, old, new)
        return template

    if any(t.records_path is None for t in plan.tables):
        w.block(by_method(tpl.FETCH_FIND, tpl.FIND_BY_METHOD))
    w.block(by_method(tpl.FETCH_TAIL, tpl.PAGINATE_BY_METHOD))
    if any(t.records_path is None for t in plan.tables):
        w.line()
        w.block(by_method(tpl.RECORDS_PATH, tpl.RECORDS_PATH_BY_METHOD))


def _client_from_factory(w: Writer, plan: ConnectorPlan) -> None:
    """``self._client``: a RestClient driving the Python client the doc constructs, so its
    retries, errors and paginators serve the in-process source as they serve HTTP ones."""
    client = plan.auth.client
    args = tuple(Raw(f"options[{literal(a)}]") for a in client.args if not client.keywords)
    kwargs = tuple((a, Raw(f"options[{literal(a)}]")) for a in client.args if client.keywords)
    w.line("        # the source's own Python client: no request leaves the process")
    if client.line:
        w.line(f"        # (see {plan.doc_name} line {client.line})")
    w.expr(Call(client.factory, args, kwargs), prefix="api = ", indent="        ")
    w.expr(
        Call(
            "RestClient",
            (Raw("IN_PROCESS_BASE_URL"),),
            (("session", Raw("InProcessSession(api)")), ("timeout", 30.0)),
        ),
        prefix="self._client = ",
        indent="        ",
        anchor="client",
    )


def _paginator(w: Writer, plan: ConnectorPlan) -> None:
    styles = []
    for t in plan.tables:
        if t.pagination and t.pagination.style in tpl.PAGINATOR_BRANCHES:
            styles.append(t.pagination.style)
    w.line("def _paginator(pagination: dict[str, Any], page_size: int) -> Paginator:")
    w.line('    """A fresh paginator for one walk through an endpoint, as its entry says."""')
    if styles:
        w.line('    style = pagination["style"]')
    for style in dict.fromkeys(styles):
        w.block(tpl.PAGINATOR_BRANCHES[style])
    w.line("    return SinglePage()")
