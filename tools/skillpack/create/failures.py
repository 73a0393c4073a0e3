"""A failed suite as a to-do list: each failure placed at the table, field and doc line it
concerns.

Suites report a table's trouble on a line of its own: ``[orders] Columns null in every
sampled record: ['sku']`` (the checkout's suite) or ``[connector-error] table `orders`: ...``
(ours), several tables to one failed test. Each such line
becomes an item naming the table, the fields it mentions that the doc lists for it (else
``read``) and the doc line to look at: the first such field's, else the table's read
endpoint's, else the table's own. A failure that names no table of the doc is kept whole,
for the source.
"""

from __future__ import annotations

import re
from typing import Any

from skillpack.apidoc.models import ApiDoc, Table

#: ``[table] what went wrong`` at the start of a line of a failure message
_LEADING = re.compile(r"^\s*\[([^\]]+)\]\s*")
#: ``table `orders``` anywhere in a line
_NAMED = re.compile(r"\btable `([^`]+)`")
#: names a message quotes: ``'sku'``, ``"sku"`` or ```sku```
_QUOTED = re.compile(r"""['"`]([A-Za-z_@$][\w.@$-]*)['"`]""")
#: how much of a message an item keeps
_KEEP = 300


def failure_todos(out: dict[str, Any], doc: ApiDoc) -> list[dict[str, Any]]:
    """To-do items for the failed tests of a ``run_suite`` result, in the order reported."""
    tables = {t.name: t for t in doc.tables}
    items: dict[tuple[str | None, str], dict[str, Any]] = {}
    for test in out.get("tests", []):
        if test.get("outcome") not in ("failed", "error", "timeout"):
            continue
        message = str(test.get("message") or "")
        named = [
            (tables[t], line) for line in message.splitlines() if (t := _table_of(line, tables))
        ]
        if not named:
            name = test.get("name", "suite")
            first = message.strip().splitlines()[0] if message.strip() else name
            items.setdefault((None, name), _item(None, name, None, first, test))
            continue
        for table, what in named:
            fields = _fields_named(table, what)
            field = ", ".join(f.name for f in fields) or "read"
            line = fields[0].line if fields else _table_line(table)
            said = _LEADING.sub("", what, count=1)  # the tag or table name before the words
            items.setdefault((table.name, field), _item(table.name, field, line, said, test))
    return list(items.values())


def unchecked_todos(
    unchecked: dict[str, str], doc: ApiDoc | None, spec: str
) -> list[dict[str, Any]]:
    """An item for each table the curated spec ``spec`` serves no read path for, placed at
    the table's read endpoint (no line without a ``doc``): not blocking, since nothing is
    known to be wrong, but no offline check has looked at it."""
    tables = {t.name: t for t in doc.tables} if doc is not None else {}
    return [
        {
            "table": name,
            "field": "read",
            "doc_line": _table_line(tables[name]) if name in tables else None,
            "what": (
                f"not checked offline: the curated spec `{spec}` serves no read of `{path}`; "
                "check this table in mode `record` or `live`"
            ),
            "blocking": False,
        }
        for name, path in sorted(unchecked.items())
    ]


def _table_of(line: str, tables: dict[str, Table]) -> str | None:
    """The doc's table a failure line is about, if it names one."""
    lead = _LEADING.match(line)
    if lead and lead.group(1) in tables:
        return lead.group(1)
    return next((n for n in _NAMED.findall(line) if n in tables), None)


def _fields_named(table: Table, text: str) -> list:
    by_name = {f.name: f for f in table.fields}
    seen = dict.fromkeys(n for n in _QUOTED.findall(text) if n in by_name)
    return [by_name[n] for n in seen]


def _table_line(table: Table) -> int | None:
    ep = table.read_endpoint
    return (ep.line if ep is not None else None) or table.line


def _item(
    table: str | None, field: str, line: int | None, what: str, test: dict[str, Any]
) -> dict[str, Any]:
    said = what.strip()
    if len(said) > _KEEP:
        said = said[: _KEEP - 3] + "..."
    return {
        "table": table,
        "field": field,
        "doc_line": line,
        "what": f"{test.get('name', 'a test')} failed: {said}",
        "blocking": True,
    }
