"""Settle each table's facts once the whole doc is read.

The doc's object list decides which tables exist (``restrict``); facts stated once for all
tables, per table outside its section, or by a group heading fill what a table's own
section leaves open (``apply_defaults``); one endpoint for every table gives those without
their own (``from_template``); and warnings that those facts settle are dropped
(``settle``). Whatever stays open keeps its table, field, line and candidates.
"""

from __future__ import annotations

import re

from skillpack.apidoc._extract import codes_in, make_endpoint
from skillpack.apidoc._objects import Declared, Defaults, fill_template
from skillpack.apidoc._sections import TableDraft, name_key
from skillpack.apidoc._tree import Block
from skillpack.apidoc._vocab import ENDPOINT, alnum_key
from skillpack.apidoc.models import DocWarning, Table


def restrict(
    drafts: list[TableDraft], declared: Declared
) -> tuple[list[TableDraft], list[TableDraft]]:
    """The declared tables, in the list's order, each with the blocks of its drafts; and the
    drafts the list does not name (a heading such as "Known quirks"), which are no tables
    but may still speak of some."""
    by_key = {name_key(d.name): d for d in drafts}
    out: list[TableDraft] = []
    for name, line in declared.names:
        d = by_key.pop(name_key(name), None)
        if d is None:
            d = TableDraft(name, line, [], name_from_title=False)
        else:
            d.name = name
        item = declared.items.get(name)
        if item is not None:
            # "`teams` — `GET /teams`": what the list says of a table is its first word on it.
            d.blocks.insert(0, (item, None))
            path = _bare_path(item.text)
            if path is not None:
                # "`pi_points` — `/dataservers/{webId}/points`": a list of tables that gives
                # each a path and no method names where its records are read; like a method
                # and path there, it is the list's first word on the table
                said = Block("item", item.line, f"Read endpoint: `GET {path}`")
                d.blocks.insert(1, (said, None))
        out.append(d)
    return out, list(by_key.values())


#: a path to a page of documentation, not to an endpoint
_DOC_PATH = re.compile(r"\.(?:md|html?|pdf|txt|rst)$|\s", re.I)


def _bare_path(text: str) -> str | None:
    """The path in a code span of a table-list item that names no method, if any."""
    if ENDPOINT.search(text):
        return None
    return next((c for c in codes_in(text) if c.startswith("/") and not _DOC_PATH.search(c)), None)


def _resolve(name: str | None, fields: set[str]) -> str | None:
    """The field a fact names, spelled as the field list spells it (``_lastUpdated`` is
    the query form of ``lastUpdated``)."""
    if name is None or not fields or name in fields:
        return name
    key = alnum_key(name)
    return next((f for f in sorted(fields) if alnum_key(f) == key), name)


def apply_defaults(table: Table, defaults: Defaults, declared: Declared, stated: dict) -> Table:
    """Give a table the facts the doc states for it outside its section, and those it states
    once for all tables where it has none."""
    update: dict = {}
    inferred = list(table.inferred)
    own = stated.get(name_key(table.name), {})
    if "pk" in own:
        update["primary_keys"] = own["pk"][0]
        inferred = [i for i in inferred if i != "primary_keys"]
    if "ingestion" in own:
        update["ingestion_type"] = own["ingestion"][0]
        inferred = [i for i in inferred if i != "ingestion_type"]
    if "cursor" in own:
        update["cursor_field"] = own["cursor"][0]
        inferred = [i for i in inferred if i != "cursor_field"]
    if defaults.pk and "pk" not in own and (not table.primary_keys or "primary_keys" in inferred):
        update["primary_keys"] = defaults.pk[0]
        inferred = [i for i in inferred if i != "primary_keys"]
    group = declared.ingestion.get(table.name)
    if group is not None and "ingestion_type" in inferred:
        update["ingestion_type"] = group[0]
        inferred = [i for i in inferred if i != "ingestion_type"]
    elif defaults.ingestion and "ingestion_type" in inferred:
        update["ingestion_type"] = defaults.ingestion[0]
        inferred = [i for i in inferred if i != "ingestion_type"]
    ingestion = update.get("ingestion_type", table.ingestion_type)
    guessed = "ingestion_type" in inferred
    fields = {f.name for f in table.fields}
    if (
        defaults.cursor
        and (not defaults.cursor_where_present or not fields or defaults.cursor[0] in fields)
        and table.cursor_field is None
        and "cursor" not in own
        and (ingestion != "snapshot" or guessed)
    ):
        update["cursor_field"] = defaults.cursor[0]
        if defaults.cursor_where_present and not fields:
            # "where the module exposes it", of a table whose fields the doc does not list:
            # a guess until a field list (a companion doc's) shows the field
            inferred.append("cursor_field")
        if guessed:
            # A cursor the doc names for every table makes a table without a stated
            # ingestion type incremental; still a guess, so it stays marked.
            update["ingestion_type"] = ingestion = "cdc"
    if ingestion == "snapshot":
        # A snapshot is read whole each time: a cursor would mean nothing.
        update["cursor_field"] = None
    elif update.get("cursor_field", table.cursor_field) is None:
        # Incremental, yet its own words name no cursor: the doc's usual cursor that the
        # table has is the best guess, and stays marked as one.
        guess = next((c for c, _ in defaults.usual_cursors if not fields or c in fields), None)
        if guess is not None:
            update["cursor_field"] = guess
            inferred.append("cursor_field")
    cursor = _resolve(update.get("cursor_field", table.cursor_field), fields)
    if cursor != table.cursor_field:
        update["cursor_field"] = cursor
    if not update:
        return table
    update["inferred"] = inferred
    return table.model_copy(update=update)


def from_template(table: Table, template: tuple[str, str, int], url: str | None):
    """The table's read endpoint from the doc's one endpoint for every table, and a
    warning saying it was derived (a to-do to confirm it)."""
    method, path, line = template
    ep = make_endpoint(method, fill_template(path, table.name), line, url)
    note = DocWarning(
        line=line,
        code="read-endpoint-from-template",
        message=f"read endpoint of `{table.name}` derived from `{method} {path}`",
        table=table.name,
        field="read_endpoint",
        candidates=[f"{ep.method} {ep.path}"],
    )
    return table.model_copy(update={"read_endpoint": ep}), note


def settle(table: Table, warnings: list[DocWarning]) -> list[DocWarning]:
    """The table's warnings once doc-wide facts are in: the ones those facts settle go."""
    out = []
    for w in warnings:
        if w.code == "no-primary-key" and table.primary_keys:
            continue
        if w.code == "no-read-endpoint" and table.read_endpoint is not None:
            continue
        if w.code == "no-cursor" and (table.cursor_field or table.ingestion_type == "snapshot"):
            continue
        out.append(w)
    needs_cursor = table.ingestion_type != "snapshot" and not table.cursor_field
    if needs_cursor and not any(w.code == "no-cursor" for w in out):
        stamps = [f.name for f in table.fields if f.type in ("timestamp", "date")]
        out.append(
            DocWarning(
                line=table.line,
                code="no-cursor",
                message=f"table `{table.name}` is `{table.ingestion_type}` but no cursor "
                "field was found",
                table=table.name,
                field="cursor_field",
                candidates=stamps[:8],
            )
        )
    return out
