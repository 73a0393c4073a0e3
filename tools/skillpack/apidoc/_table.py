"""Turn one scanned table section into a ``Table``: keys, cursor, ingestion type, endpoints.

``_table_scan`` reads what the section states; this module settles what it leaves open,
marking every guess in ``Table.inferred``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from skillpack.apidoc._sections import TableDraft
from skillpack.apidoc._table_scan import (
    OPTION_NAME,
    SEARCH_PATH,
    found_cursor_candidates,
    is_delete_path,
    is_time_like,
    pick,
    scan,
)
from skillpack.apidoc._vocab import (
    APPEND_CURSOR_NAMES,
    CURSOR_NAMES,
    DELETED_PARAM,
    INGESTION_WORDS,
    NOT_RETURNED,
    SINCE_PARAM,
    is_cursor_name,
    pagination_from_text,
)
from skillpack.apidoc.models import (
    DocWarning,
    Pagination,
    Param,
    Table,
    TableField,
    WriteBack,
    filled,
)

#: field types whose values order records
_ORDERED_TYPES = ("bigint", "double", "decimal", "date", "timestamp")
#: a text field that still orders: a date or time written as text (`string (YYYY-MM-DD)`)
_TIME_WORDS = re.compile(r"date|time|yyyy|iso|8601|epoch|seq", re.I)


def _orders(field: TableField) -> bool:
    """Whether a field's values order records: a number, a time, or a time written as text."""
    if field.type in _ORDERED_TYPES:
        return True
    return field.type == "string" and bool(_TIME_WORDS.search(f"{field.name} {field.doc_type}"))


def _has_field(name: str, field_names: set[str]) -> bool:
    """Whether a record with these fields has ``name`` (``author.date`` through ``author``)."""
    return name in field_names or name.split(".", 1)[0] in field_names


def _described(param: Param, described: list[Param]) -> Param:
    """A query parameter of the endpoint as the parameter table describes it, keeping the
    value the endpoint writes for it (``_lastUpdated=gt{cursor}``) when the table gives none."""
    row = next((q for q in described if q.name == param.name), None)
    if row is None:
        return param
    if row.value is None and param.value is not None:
        return row.model_copy(update={"value": param.value})
    return row


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def guessed_key(name: str, field_names: set[str]) -> list[str] | None:
    """The key a table whose doc states none most likely has: a field named as keys
    usually are (``id``, ``order_id`` of ``orders``), if it has one."""
    for guess in ("id", f"{name.rstrip('s')}_id", "uuid", "key"):
        if guess in field_names:
            return [guess]
    return None


def build_table(
    draft: TableDraft,
    base_url: str | None,
    global_pagination: Pagination | None,
    shared_fields: Sequence[TableField] = (),
):
    """The ``Table`` and its warnings for one draft; ``shared_fields``, those every table
    of the doc carries, follow the table's own."""
    found = scan(draft, base_url)
    warnings: list[DocWarning] = []
    name = found.name if (found.name and draft.name_from_title is False) else draft.name
    name = found.name or name
    line = draft.line

    def warn(
        code: str,
        message: str,
        at: int | None = None,
        fact: str | None = None,
        candidates: list[str] | None = None,
    ) -> None:
        # Every value already has its field's type: no validation needed (a doc with
        # hundreds of tables makes a thousand of these).
        warnings.append(
            filled(
                DocWarning,
                {
                    "line": at or line,
                    "code": code,
                    "message": message,
                    "table": name,
                    "field": fact,
                    "candidates": list(dict.fromkeys(candidates or []))[:8],
                },
            )
        )

    fields = found.fields or found.example_fields
    if not found.fields and found.example_fields:
        warn("fields-from-example", f"fields of `{name}` were read from a JSON example")
    if shared_fields:
        own = {f.name for f in fields}
        fields = [*fields, *(f for f in shared_fields if f.name not in own)]
    unread = [f for f in fields if f.description and NOT_RETURNED.search(f.description.lower())]
    if unread:
        # A field the API takes but does not give back would be null in every record.
        fields = [f for f in fields if f not in unread]
        warn(
            "field-not-returned",
            f"left out of `{name}`, described as deprecated or never returned: "
            + ", ".join(f"`{f.name}`" for f in unread),
            at=unread[0].line,
        )
    field_names = {f.name for f in fields}
    query_names = {p.name for p in found.query}

    # --- endpoints ---
    read = found.read
    delete_feed = found.delete_feed
    write = dict(found.write)
    # An endpoint under the table's own "Endpoint" heading outranks one met in passing.
    stated = sorted(found.endpoints, key=lambda e: e[1] != "endpoint")
    for ep, ctx in stated:
        if ep.method == "GET":
            if ctx == "deletes" or is_delete_path(ep):
                delete_feed = delete_feed or ep
            elif ctx != "write" and read is None:
                read = ep
        elif ctx == "deletes" and ep.method != "DELETE":
            delete_feed = delete_feed or ep
        elif ep.method == "POST":
            if read is None and ctx != "write" and SEARCH_PATH.search(ep.path):
                read = ep
            else:
                write.setdefault("insert", ep)
        elif ep.method in ("PUT", "PATCH"):
            write.setdefault("update", ep)
        elif ep.method == "DELETE":
            write.setdefault("delete", ep)
    if read is not None:
        # a parameter the path names (`{property}`) is sent in the path, not the query
        known = {p.name for p in read.query_params} | set(_PLACEHOLDER.findall(read.path))
        extra = []
        for p in found.query:  # each once: a doc may list a parameter under two endpoints
            if p.name not in known:
                known.add(p.name)
                extra.append(p)
        merged = [_described(p, found.query) for p in read.query_params]
        read = read.model_copy(update={"query_params": merged + extra})
        if delete_feed is None and not found.delete_feed_none:
            # one stated under a deletes heading, else a query parameter named for deletes
            flag = found.delete_flag or next(
                (p for p in read.query_params if DELETED_PARAM.search(p.name)), None
            )
            if flag is not None:
                delete_feed = read.model_copy(update={"query_params": [flag]})
    else:
        seen = [f"{ep.method} {ep.path}" for ep, _ in found.endpoints]
        warn(
            "no-read-endpoint",
            f"no read endpoint (`GET /path`) found for table `{name}`",
            fact="read_endpoint",
            candidates=seen,
        )
    if found.delete_feed_none:
        delete_feed = None

    # --- primary key ---
    inferred: list[str] = []
    pk = found.pk
    if pk is None and found.col_pk:
        pk = list(dict.fromkeys(found.col_pk))
    if pk is None:
        chosen = pick(found.prose_pk, field_names, query_names)
        pk = chosen or None
    # "`id` is unique within a list; the key is the composite `(list_id, id)`": a composite
    # the prose builds on the stated key widens it
    wider = [c for c in found.prose_composite if pk and set(pk) < set(c) <= field_names]
    if wider:
        pk = list(wider[0])
    if pk is None:
        pk = guessed_key(name, field_names)
        if pk is not None:
            inferred.append("primary_keys")
    if pk is None:
        pk = []
        ids = [f for f in field_names if f.lower().endswith("id") or "key" in f.lower()]
        prose = [x for spans, _ in found.prose_pk for x in spans]
        warn(
            "no-primary-key",
            f"could not tell the primary key of table `{name}`",
            fact="primary_keys",
            candidates=prose + sorted(ids),
        )
    elif field_names:
        for key in pk:
            if key not in field_names:
                warn(
                    "unknown-primary-key",
                    f"primary key `{key}` of table `{name}` is not among its fields",
                    found.pk_line,
                )

    # --- ingestion statement and cursor ---
    stated = found.ingestion or found.prose_ingestion
    if stated is None and found.snapshot_hint and not found.append_hint:
        stated = "snapshot"
    not_cursor = query_names | {name} | INGESTION_WORDS
    cursor = found.cursor if is_cursor_name(found.cursor, not_cursor) else None
    if cursor is not None and field_names and not _has_field(cursor, field_names):
        # the doc's first choice is not in the record: a name it offers in its place that is
        # ("`System.ChangedDate` or `rev`" of a record whose top level has `rev` only)
        cursor = next(
            (
                a
                for a in found.cursor_alternatives
                if is_cursor_name(a, not_cursor) and _has_field(a, field_names)
            ),
            cursor,
        )
    if cursor is None:
        cursor = next((c for c in found.col_cursor if is_cursor_name(c, not_cursor)), None)
    if cursor is None and not found.cursor_none:
        # Prefer a field other than the key; an append-only log often pages by its own id.
        prose = [
            ([s for s in spans if is_cursor_name(s, not_cursor)], line)
            for spans, line in found.prose_cursor
        ]
        # the key itself only when it orders records (a growing number, a time): a hash such
        # as a commit `sha` identifies records without ordering them
        unordered = {f.name for f in fields if f.name in pk and not _orders(f)}
        chosen = pick(prose, field_names, query_names | set(pk)) or pick(
            prose, field_names, query_names | unordered
        )
        cursor = chosen[0] if chosen else None
    if cursor is None and not found.cursor_none:
        # an example request of the table's asking for records whose time is past a value
        # (``$filter=eventTime gt ...``); "`Quantity ge 10`" selects, it orders nothing
        cursor = next(
            (
                f
                for f in found.filtered_since
                if (not field_names or _has_field(f, field_names))
                and is_cursor_name(f, not_cursor)
                and is_time_like(f, fields)
            ),
            None,
        )
    if cursor is None and not found.cursor_none and stated != "snapshot":
        since = read is not None and any(SINCE_PARAM.search(p.name) for p in read.query_params)
        wants = stated in ("cdc", "cdc_with_deletes", "append") or since or found.append_hint
        if wants:
            pool = APPEND_CURSOR_NAMES if (stated == "append" or found.append_hint) else ()
            for guess in (*pool, *CURSOR_NAMES):
                match = next((f for f in field_names if f.lower() == guess), None)
                if match:
                    cursor = match
                    inferred.append("cursor_field")
                    break
    if cursor is not None and field_names and cursor not in field_names:
        warn(
            "unknown-cursor",
            f"cursor field `{cursor}` of table `{name}` is not among its fields",
            fact="cursor_field",
        )

    # --- ingestion type ---
    if stated is not None:
        ingestion = stated
    else:
        inferred.append("ingestion_type")
        if found.append_hint:
            ingestion = "append"
        elif cursor and (delete_feed is not None or found.deletes_stated):
            ingestion = "cdc_with_deletes"
        elif cursor:
            ingestion = "cdc"
        else:
            ingestion = "snapshot"
    if ingestion != "snapshot" and cursor is None and found.cursor_none:
        # Incremental, yet the doc says the table has no cursor: nothing orders its changes,
        # so each read takes it whole. The warning keeps the stated type on the to-do list
        # (not marked inferred: a type stated elsewhere for the table must not undo this).
        warn(
            "stated-no-cursor",
            f"table `{name}` is stated `{ingestion}` but has no cursor field, so it is read "
            "whole each time (`snapshot`)",
            fact="ingestion_type",
        )
        ingestion = "snapshot"
    if ingestion != "snapshot" and cursor is None:
        warn(
            "no-cursor",
            f"table `{name}` is `{ingestion}` but no cursor field was found",
            fact="cursor_field",
            candidates=found_cursor_candidates(found, fields),
        )

    # --- pagination ---
    pagination = found.pagination
    if pagination is None and read is not None:
        names = " ".join(f"`{p.name}`" for p in read.query_params)
        style = pagination_from_text(names) if names else None
        if style and style != "none":
            pagination = Pagination(style=style, description=f"from query parameters {names}")  # type: ignore[arg-type]
    if pagination is None and global_pagination is not None:
        pagination = global_pagination
    if pagination is None and read is not None:
        warn("no-pagination", f"could not tell how table `{name}` pages through results")

    if not fields:
        warn("no-fields", f"no fields listed for table `{name}`")
    elif found.untyped:
        warn(
            "untyped-fields",
            f"{found.untyped} field(s) of table `{name}` have no type the parser knows; "
            "read as string",
            found.untyped_line,
        )

    option_names = {o.name for o in found.options}
    write_back = None
    if write or found.body:
        write_back = WriteBack(
            insert=write.get("insert"),
            update=write.get("update"),
            delete=write.get("delete"),
            body_fields=found.body,
        )
    table = Table(
        name=name,
        description=found.description,
        primary_keys=pk,
        cursor_field=cursor,
        ingestion_type=ingestion,  # type: ignore[arg-type]
        inferred=inferred,  # type: ignore[arg-type]
        read_endpoint=read,
        pagination=pagination,
        records_key=found.records_key or found.prose_records_key,
        delete_endpoint=delete_feed,
        fields=fields,
        # A table option is a key the user sets (``since``, ``repository``); ``$expand`` is a
        # query parameter of the API that the connector sends itself.
        options=[
            o
            for o in found.options + [o for o in draft.options if o.name not in option_names]
            if OPTION_NAME.match(o.name)
        ],
        write=write_back,
        line=line,
    )
    return table, warnings
