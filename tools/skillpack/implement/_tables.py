"""Plan the tables: schema trees, paginators, cursor filters and delete feeds."""

from __future__ import annotations

import re
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from skillpack.apidoc.models import Table, TableField
from skillpack.implement import _text as text
from skillpack.implement._facts import base_host, shape_facts, table_facts
from skillpack.implement._model import (
    PLACEHOLDER,
    DeletePlan,
    FieldNode,
    PagePlan,
    ParentPlan,
    Refs,
    TablePlan,
    Todo,
)

#: the cursor sent on a first read of flagged deletes, which some APIs list only after one
_FIRST_CURSOR: dict[str, Any] = {"bigint": 0, "double": 0, "timestamp": "1970-01-01T00:00:00Z"}


# --- schema ----------------------------------------------------------------------------------


def _schema(table: Table) -> list[FieldNode]:
    """The doc's flat, dotted field list as a tree; parents a doc leaves out are added."""
    roots: list[FieldNode] = []
    index: dict[str, FieldNode] = {}
    required = {k.split(".")[0] for k in table.primary_keys}
    if table.cursor_field:
        required.add(table.cursor_field.split(".")[0])

    def node_for(path: str, f: TableField | None) -> FieldNode:
        if path in index:
            return index[path]
        parent_path, _, leaf = path.rpartition(".")
        node = FieldNode(leaf, f.type if f else "struct", f.element_type if f else None)
        if parent_path:
            parent = node_for(parent_path, None)
            if parent.type == "array":
                parent.element = "struct"
            elif parent.type != "struct":
                parent.type = "struct"
            parent.children.append(node)
        else:
            node.nullable = leaf not in required
            roots.append(node)
        index[path] = node
        return node

    for f in table.fields:
        node_for(f.name, f)
    for key in [*table.primary_keys, *([table.cursor_field] if table.cursor_field else [])]:
        if key not in index:
            node_for(key, None).type = "string"
    return roots


def _prefix(params: list, name: str | None) -> str:
    """What the doc writes before the cursor in parameter ``name`` (``gt`` of
    ``_lastUpdated=gt{cursor}``); empty when nothing."""
    stated = next((p for p in params if p.name == name), None) if name else None
    value = stated.value if stated is not None else None
    return value.split("{", 1)[0] if value and "{" in value else ""


def _same(plan: TablePlan, since: str | None) -> str:
    """The read's prefix, for a delete feed filtered by the read's own parameter."""
    return plan.since_prefix if since and since == plan.since_param else ""


#: "from `meta.lastUpdated`": a column the connector fills from a nested field
_FROM_PATH = re.compile(r"^\s*(?:taken |copied )?from\s+`?([A-Za-z_]\w*(?:\.\w+)+)`?", re.I)


#: "full FHIR resource as JSON string": a column holding the whole record as JSON text
_WHOLE_RECORD = re.compile(
    r"\b(?:full|whole|entire|complete|raw)\b[^.]{0,40}?"
    r"\b(?:resource|record|object|response|payload|item|entity)\b[^.]{0,12}?\bas (?:a )?json\b",
    re.I,
)


def _sources(table: Table) -> dict[str, str]:
    """Columns whose description says they come from a nested path of the record, or hold
    the whole record (``$``)."""
    names = {f.name for f in table.fields}
    out = {}
    for f in table.fields:
        if "." in f.name:
            continue
        m = _FROM_PATH.match(f.description)
        if m and m.group(1) not in names:
            out[f.name] = m.group(1)
        elif f.type == "string" and _WHOLE_RECORD.search(f.description):
            out[f.name] = "$"
    return out


# --- pagination ------------------------------------------------------------------------------


#: said of a read that follows the response's own next-page pointer (``FollowNextPaginator``)
_FOLLOWS = (
    "the generated read follows any next-page pointer a response carries (a `Link` header or "
    "a conventional field such as `next`, `nextPageToken`, `@odata.nextLink`) and reads one "
    "page when there is none"
)


def _pagination(table: Table, section: str) -> tuple[PagePlan, str, str]:
    """The paginator for the read endpoint and, when it had to be assumed, why (long, short).

    Paging the doc does not describe, or describes without naming its fields, is read by
    following what each response points at (``follow``); the reasons say what was assumed.
    """
    p = table.pagination
    params = table.read_endpoint.query_params if table.read_endpoint else []
    if p is None:
        return (
            PagePlan("follow"),
            f"the doc does not say how the read endpoint pages: {_FOLLOWS}",
            "pagination assumed",
        )
    words = "\n".join([p.description, section])
    limit = text.limit_param(params, words)
    if p.style == "none":
        return PagePlan("none"), "", ""
    if p.style == "cursor":
        path, param = text.cursor_params(params, words)
        if path is None or param is None:
            return (
                PagePlan("follow", {"cursor_param": param} if param else {}, limit),
                "cursor pagination, but the doc does not name the response field holding the "
                f"next cursor{'' if param else ' and the query parameter that sends it back'}: "
                + _FOLLOWS,
                "cursor field assumed",
            )
        return PagePlan("cursor", {"cursor_path": path, "cursor_param": param}, limit), "", ""
    if p.style == "offset":
        offset, size = text.offset_params(params, words)
        if offset is None or size is None:
            return (
                PagePlan("follow", {}, limit),
                "offset pagination, but the doc does not name the offset and limit "
                f"parameters: {_FOLLOWS}",
                "offset/limit parameters assumed",
            )
        return PagePlan("offset", {"offset_param": offset, "limit_param": size}), "", ""
    if p.style == "page_number":
        page, size, start = text.page_params(params, words)
        if page is None:
            return (
                PagePlan("follow", {}, limit),
                f"page-number pagination, but the doc does not name the page parameter: {_FOLLOWS}",
                "page parameter assumed",
            )
        args: dict[str, Any] = {"page_param": page, "start": start}
        if size is not None:
            args["page_size_param"] = size
        follows = text.next_page_field(words)
        if follows is not None:
            args["next_page_path"] = follows
        return PagePlan("page_number", args), "", ""
    if p.style == "link_header":
        return PagePlan("link_header", {}, limit), "", ""
    where, name = text.next_url(words)
    if where == "link":
        return PagePlan("link_header", {}, limit), "", ""
    if name is None:
        return (
            PagePlan("follow", {}, limit),
            "next-URL pagination, but the doc does not say which header or field holds the "
            f"URL: {_FOLLOWS}",
            "next-page URL location assumed",
        )
    if where == "header":
        return PagePlan("next_url_header", {"header": name}, limit), "", ""
    return PagePlan("next_url_body", {"next_url_path": name}, limit), "", ""


# --- tables ----------------------------------------------------------------------------------


class Parent(NamedTuple):
    """A table whose records fill a path placeholder: with its key, the placeholders its
    own path takes (filled by its own parents in turn)."""

    table: str
    key: str
    takes: frozenset[str]


def unfilled(path: str, options: set[str]) -> list[str]:
    """The placeholders of ``path`` no connection option fills, in the path's order."""
    return [n for n in PLACEHOLDER.findall(path) if n not in options]


def chain_parent(holes: list[str], parents: dict[str, Parent], table: str) -> str | None:
    """Of the placeholders a path needs, the one another table's records fill while that
    table's own path takes all the rest (a chain); None when none does: two unrelated
    parents (`/orgs/{org_id}/regions/{region_id}/...`) make no chain."""
    rest = set(holes)
    return next(
        (
            n
            for n in holes
            if n in parents and parents[n].table != table and rest - {n} <= parents[n].takes
        ),
        None,
    )


def relative_path(endpoint_path: str, base_path: str) -> str:
    """The endpoint path relative to the base URL (``/v1/items`` under ``/v1`` -> ``items``)."""
    path = endpoint_path
    if path.startswith(("http://", "https://")):
        path = urlsplit(path).path
    if base_path and path.startswith(base_path + "/"):
        path = path[len(base_path) :]
    return path.split("?", 1)[0].lstrip("/")


class TablePlanner:
    """Plans tables against one doc."""

    def __init__(
        self,
        doc: text.DocText,
        ref: Refs,
        base_path: str,
        options: set[str],
        base_url: str | None = None,
        parents: dict[str, Parent] | None = None,
        keep_hosts: bool = False,
    ):
        self.doc = doc
        self.ref = ref
        self.base_path = base_path
        self.options = options
        #: the host requests go to, against which an endpoint's own host is checked
        self.base_host = base_host(base_url, doc.doc.tables)
        #: whether a read on another host keeps its absolute URL (see `plan_connector`)
        self.keep_hosts = keep_hosts
        #: path placeholder -> (table, key) of a table whose records fill it
        self.parents = parents or {}

    def plan(self, table: Table) -> TablePlan:
        plan = TablePlan(
            name=table.name,
            fields=_schema(table),
            primary_keys=list(table.primary_keys),
            cursor_field=table.cursor_field,
            ingestion_type=table.ingestion_type,
            options=[o.name for o in table.options],
            sources=_sources(table),
        )
        section = self.doc.section(table)
        plan.records_path = table.records_key
        shape_facts(table, plan, section)
        if plan.records_path is None and not plan.bare_list:
            # what the doc says once for every list response, the table saying nothing
            plan.records_path = self.doc.doc.records_key
        if not table.fields:
            plan.notes.append(
                Todo(
                    f"{table.name}:schema",
                    table.name,
                    "the doc lists no fields, so the schema holds only the key and cursor: "
                    "add the fields to the doc and run the tool again",
                    "no fields in the doc",
                    table.line,
                    False,
                )
            )
        self._read(table, plan, section)
        if table.ingestion_type == "cdc_with_deletes":
            self._deletes(table, plan, section)
        return plan

    def _read(self, table: Table, plan: TablePlan, section: str) -> None:
        long: list[str] = []
        short: list[str] = []
        line = table.line
        ep = table.read_endpoint
        if ep is None:
            long.append("the doc names no read endpoint (`GET /path`) for the table")
            short.append("no read endpoint")
        else:
            plan.path = relative_path(ep.path, self.base_path)
            elsewhere = urlsplit(ep.path)
            if self.keep_hosts and elsewhere.netloc not in ("", self.base_host):
                plan.path = f"{elsewhere.scheme}://{elsewhere.netloc}{elsewhere.path}"
            line = ep.line or line
            unknown = unfilled(plan.path, self.options)
            parent = chain_parent(unknown, self.parents, table.name)
            if parent is not None:
                # One call per parent record: the fan-out is also the table's partitions.
                above = self.parents[parent]
                plan.parent = ParentPlan(above.table, above.key, parent)
                unknown = []
            if unknown:
                names = ", ".join(f"`{{{n}}}`" for n in unknown)
                long.append(
                    f"the read endpoint needs {names}, which is no connection option: read "
                    "the parent records first and call the endpoint once per parent"
                )
                short.append(f"path needs {names}")
            plan.pagination, why, brief = _pagination(table, section)
            page = plan.pagination
            if why:
                at = (table.pagination.line if table.pagination else None) or ep.line
                plan.notes.append(
                    Todo(
                        f"{table.name}:pagination",
                        table.name,
                        f"{why} (doc line {at}: confirm against the API, or describe the "
                        "paging in the doc)",
                        brief,
                        at,
                        False,
                        field="pagination",
                        guessed=True,
                    )
                )
            if (
                page.style == "page_number"
                and not page.args.get("page_size_param")
                and not page.args.get("next_page_path")
            ):
                at = (table.pagination.line if table.pagination else None) or ep.line
                plan.notes.append(
                    Todo(
                        f"{table.name}:pagination.end",
                        table.name,
                        "page-number paging with no page-size parameter and no total: assumed "
                        "the last page is followed by an empty one; a server that ignores "
                        f"`{page.args['page_param']}` ends the read with `pagination-loop` "
                        f"(doc line {at}: confirm against the API, or name the page-size "
                        "parameter in the doc)",
                        "end of paging assumed",
                        at,
                        False,
                    )
                )
            if table.ingestion_type != "snapshot" and table.cursor_field:
                self._since(table, plan, section)
            end = self.doc.stretch_end(table)
            for what, brief, _ in table_facts(
                table, plan, section, self.doc.lines, end, self.base_host, self.doc.doc.tables
            ):
                long.append(what)
                short.append(brief)
        if long:
            where = self.ref(line)
            plan.todo = Todo(
                f"{table.name}:read",
                table.name,
                "; ".join(long) + f" ({where})",
                "; ".join(short) + f"; {where}",
                line,
                True,
            )

    def _since(self, table: Table, plan: TablePlan, section: str) -> None:
        ep = table.read_endpoint
        assert ep is not None
        pagination = plan.pagination
        exclude = {v for v in (pagination.args.values() if pagination else ()) if v}
        if pagination is not None and pagination.limit_param:
            exclude.add(pagination.limit_param)
        exclude = {str(v) for v in exclude}
        plan.since_param, prose = text.since_param(table, ep.query_params, section, exclude)
        # "_lastUpdated=gt{cursor}": the operator goes before every cursor sent
        plan.since_prefix = _prefix(ep.query_params, plan.since_param)
        if plan.since_param is None:
            # Not a stop: the generated read keeps only records past the cursor itself, so
            # the table stays incremental; a server-side filter only saves traffic.
            plan.notes.append(
                Todo(
                    f"{table.name}:since_param",
                    table.name,
                    f"no query parameter asks for records changed after `{table.cursor_field}`,"
                    " so every read lists the whole table and keeps the records past the "
                    "cursor on the client: name the filter parameter in the doc if the API "
                    f"has one ({self.ref(ep.line or table.line)})",
                    "cursor filter parameter unknown: filtered on the client",
                    ep.line or table.line,
                    False,
                    field="since_param",
                    guessed=True,
                )
            )
        elif prose:
            plan.notes.append(
                Todo(
                    f"{table.name}:since_param",
                    table.name,
                    f"`{plan.since_param}` as the cursor filter was read from prose, not from "
                    "a parameter table: check it against the API",
                    "cursor filter read from prose",
                    ep.line or table.line,
                    False,
                )
            )

    def _deletes(self, table: Table, plan: TablePlan, section: str) -> None:
        """Fill ``plan.deletes`` (or ``plan.deletes_todo``) for a cdc_with_deletes table."""
        ep = table.delete_endpoint
        if ep is None:
            plan.deletes_todo = Todo(
                f"{table.name}:deletes",
                table.name,
                "cdc_with_deletes, but the doc names no delete feed: give the table's "
                "`deletes` entry a feed `path` or the `flag_field` marking deleted records "
                f"({self.ref(table.line)})",
                f"delete feed unknown; {self.ref(table.line)}",
                table.line,
                True,
            )
            return
        words = self.doc.around(ep.line) or section
        read = table.read_endpoint
        same = read is not None and relative_path(ep.path, self.base_path) == relative_path(
            read.path, self.base_path
        )
        query = [p.name for p in ep.query_params]
        stated_since, stated_cursor = text.delete_feed(table, words + "\n" + section)
        # fixed values (`archived=true`); a templated one (`gt{cursor}`) is no fixed value
        valued = [p for p in ep.query_params if p.value is not None and "{" not in p.value]
        if same and valued:
            # the read endpoint asked for deleted records (`archived=true`): the same read
            # with those values, filtered and ordered as the read is
            plan.deletes = DeletePlan(
                path=plan.path,
                params={p.name: p.value for p in valued},
                since_param=plan.since_param,
                since_prefix=plan.since_prefix,
                cursor_field=table.cursor_field,
            )
            plan.notes.append(
                Todo(
                    f"{table.name}:deletes.cursor_field",
                    table.name,
                    f"assumed the records `{valued[0].name}={valued[0].value}` answers carry "
                    f"the cursor `{table.cursor_field}` as the read's do; the doc does not say",
                    "feed cursor assumed",
                    ep.line,
                    False,
                    guessed=True,
                )
            )
            return
        if same:
            self._flagged(table, plan, words, section, query, stated_since)
            return
        since = next((q for q in query if text.is_since_name(q)), None) or stated_since
        if since is None and plan.since_param is not None:
            since = plan.since_param
            plan.notes.append(
                Todo(
                    f"{table.name}:deletes.since_param",
                    table.name,
                    f"assumed the delete feed filters by `{since}` as the read endpoint does; "
                    "the doc does not say",
                    "feed filter assumed",
                    ep.line,
                    False,
                )
            )
        cursor = stated_cursor
        if cursor is None:
            cursor = table.cursor_field
            plan.notes.append(
                Todo(
                    f"{table.name}:deletes.cursor_field",
                    table.name,
                    f"assumed deleted records carry the cursor `{cursor}`; the doc does not "
                    "say which field orders the delete feed",
                    "feed cursor assumed",
                    ep.line,
                    False,
                )
            )
        plan.deletes = DeletePlan(
            path=relative_path(ep.path, self.base_path),
            since_param=since,
            since_prefix=_prefix(ep.query_params, since) or _same(plan, since),
            cursor_field=cursor,
        )

    def _flagged(
        self,
        table: Table,
        plan: TablePlan,
        words: str,
        section: str,
        query: list[str],
        stated_since: str | None,
    ) -> None:
        """Deleted records come from the read endpoint itself, marked by a flag field."""
        ep = table.delete_endpoint
        assert ep is not None
        flag = text.inline_flag(words) or text.inline_flag(section)
        if flag is None:
            plan.deletes_todo = Todo(
                f"{table.name}:deletes",
                table.name,
                "deleted records come from the read endpoint, but the doc does not say which "
                f"field marks them: set the `deletes` entry's `flag_field` ({self.ref(ep.line)})",
                f"deleted-record flag unknown; {self.ref(ep.line)}",
                ep.line,
                True,
            )
            return
        cursor_type = next((f.type for f in table.fields if f.name == table.cursor_field), "")
        since = next(iter(query), None) or stated_since or plan.since_param
        plan.deletes = DeletePlan(
            flag_field=flag,
            since_param=since,
            since_prefix=_prefix(ep.query_params, since) or _same(plan, since),
            cursor_field=table.cursor_field,
            first_cursor=_FIRST_CURSOR.get(cursor_type),
        )
