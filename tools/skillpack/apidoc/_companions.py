"""Companion docs: per-table details kept in other Markdown files the doc links to.

A doc for a source with hundreds of tables often lists them in one file and keeps each
module's keys, fields and ingestion types in files beside it, linked from the doc
(``[`Payroll_api_doc.md`](api_docs/)``). When the doc is read from a file, each link to a
Markdown file or folder inside the doc's own folder names companions; a companion's table
fills what the doc leaves open for the table of the same name, and never overrides what
the doc states. Several companions describing one table fill it in turn, best first, each
only what those before it left open. Each fact taken says, in a note, which file and line
it came from.
"""

from __future__ import annotations

from pathlib import Path

from skillpack.apidoc._objects import is_change_time
from skillpack.apidoc._sections import name_key
from skillpack.apidoc._settle import settle
from skillpack.apidoc._table import guessed_key
from skillpack.apidoc.models import ApiDoc, DocWarning, Table
from skillpack.errors import InputError
from skillpack.limits import read_text_capped

#: companions read at most, so a link to a huge folder cannot stall a parse
MAX_COMPANIONS = 200


def companion_paths(doc_path: Path, links: list[tuple[str, int]]) -> list[Path]:
    """Markdown files the doc links to inside its own folder (a linked folder: its ``*.md``)."""
    doc = doc_path.resolve()
    folder = doc.parent
    out: list[Path] = []
    for href, _line in links:
        href = href.split("#", 1)[0].split("?", 1)[0]
        if not href or "://" in href or href.startswith(("/", "mailto:")):
            continue
        target = (folder / href).resolve()
        if not target.is_relative_to(folder):
            continue  # `../other_source/...` is another doc's business
        if target.is_dir():
            files = sorted(target.glob("*.md"))
        elif target.suffix.lower() == ".md" and target.is_file():
            files = [target]
        else:
            continue
        for f in files:
            if f != doc and f not in out and f.is_file():
                out.append(f)
    return out[:MAX_COMPANIONS]


def read_companions(
    doc_path: Path, links: list[tuple[str, int]], parse
) -> list[tuple[str, ApiDoc]]:
    """``(path relative to the doc's folder, parsed doc)`` for each readable companion;
    one that cannot be read (too large, not text) is skipped."""
    folder = doc_path.resolve().parent
    out = []
    for path in companion_paths(doc_path, links):
        try:
            text = read_text_capped(path, "companion doc")
        except InputError:
            continue
        out.append((str(path.relative_to(folder)), parse(text)))
    return out


def _fill(table: Table, other: Table) -> tuple[Table, list[str]]:
    """``table`` with what ``other`` states and ``table`` leaves open or only guessed."""
    update: dict = {}
    inferred = list(table.inferred)
    taken: list[str] = []
    if (not table.primary_keys or "primary_keys" in inferred) and (
        other.primary_keys and "primary_keys" not in other.inferred
    ):
        update["primary_keys"] = list(other.primary_keys)
        inferred = [i for i in inferred if i != "primary_keys"]
        taken.append("primary key")
    if "ingestion_type" in inferred and "ingestion_type" not in other.inferred:
        update["ingestion_type"] = other.ingestion_type
        inferred = [i for i in inferred if i != "ingestion_type"]
        taken.append("ingestion type")
    ingestion = update.get("ingestion_type", table.ingestion_type)
    if ingestion == "snapshot":
        update["cursor_field"] = None  # read whole each time: no cursor
    elif (table.cursor_field is None or "cursor_field" in inferred) and (
        other.cursor_field and "cursor_field" not in other.inferred
    ):
        update["cursor_field"] = other.cursor_field
        inferred = [i for i in inferred if i != "cursor_field"]
        taken.append("cursor field")
    if not table.fields and other.fields:
        update["fields"] = list(other.fields)
        taken.append("fields")
        names = {f.name for f in other.fields}
        if not update.get("primary_keys", table.primary_keys):
            # no key stated anywhere: now that the fields are known, the usual guess
            key = guessed_key(table.name, names)
            if key is not None:
                update["primary_keys"] = key
                inferred.append("primary_keys")
        cursor = update.get("cursor_field", table.cursor_field)
        if cursor and "cursor_field" in inferred and cursor not in names:
            # a guessed cursor the table turns out not to have: its own change-time field,
            # when it has exactly one, is the better guess
            own = [n for n in sorted(names) if is_change_time(n)]
            if len(own) == 1:
                update["cursor_field"] = own[0]
            else:  # none to guess: the cursor is left open, a to-do, not a missing field
                update["cursor_field"] = None
                inferred = [i for i in inferred if i != "cursor_field"]
                if "ingestion_type" in inferred and ingestion in ("cdc", "cdc_with_deletes"):
                    # a guessed change feed rested on that cursor ("the cursor, where the
                    # module has it"): without it the table is read whole, still a guess
                    update["ingestion_type"] = "snapshot"
    if not taken:
        return table, []
    update["inferred"] = inferred
    return table.model_copy(update=update), taken


def _read_segments(table: Table) -> list[str]:
    ep = table.read_endpoint
    path = ep.path.split("://", 1)[-1] if ep else ""
    return [s for s in path.split("/") if s and not s.startswith("{")]


def _ranked_companions(table: Table, hits: list[tuple[str, Table]]) -> list[tuple[str, Table]]:
    """The companion docs describing a table of this name, best first: the one whose read
    path shares most with the table's own (a `User` of the OData API over one of the SCIM
    API), then the one filling most of what the table leaves open (a module's own doc over a
    README's list that only names it), then link order."""
    if len(hits) < 2:
        return hits
    own = _read_segments(table)

    def shared(hit: tuple[str, Table]) -> int:
        theirs = _read_segments(hit[1])
        return sum(1 for s in theirs if s in own)

    def fills(hit: tuple[str, Table]) -> int:
        return len(_fill(table, hit[1])[1])

    return sorted(hits, key=lambda h: (-shared(h), -fills(h), hits.index(h)))


def merge(doc: ApiDoc, companions: list[tuple[str, ApiDoc]]) -> ApiDoc:
    """``doc`` with the gaps its companions fill; warnings they settle are dropped."""
    found: dict[str, list[tuple[str, Table]]] = {}
    for rel, other in companions:
        for t in other.tables:
            found.setdefault(name_key(t.name), []).append((rel, t))
    tables: list[Table] = []
    notes: list[DocWarning] = []
    for table in doc.tables:
        guessed = table.cursor_field
        # the best companion fills first; the next ones fill only what it left open
        for rel, other in _ranked_companions(table, found.get(name_key(table.name), [])):
            table, taken = _fill(table, other)
            if taken:
                notes.append(
                    DocWarning(
                        line=table.line,
                        code="facts-from-companion-doc",
                        message=f"{', '.join(taken)} of `{table.name}` read from `{rel}`"
                        + (f" line {other.line}" if other.line else ""),
                        table=table.name,
                    )
                )
        if guessed and not table.cursor_field:
            notes.extend(settle(table, []))  # the open cursor, with its candidates
        tables.append(table)
    by_name = {t.name: t for t in tables}
    kept = []
    for w in doc.warnings:
        t = by_name.get(w.table or "")
        if t is not None and (
            (w.code == "no-primary-key" and t.primary_keys)
            or (w.code == "no-cursor" and (t.cursor_field or t.ingestion_type == "snapshot"))
            or (w.code == "no-fields" and t.fields)
        ):
            continue
        kept.append(w)
    warnings = sorted(kept + notes, key=lambda w: w.line or 0)
    return doc.model_copy(update={"tables": tables, "warnings": warnings})
