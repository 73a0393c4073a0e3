"""What the review can tell statically about a connector module: its class, tables, schemas
and metadata.

Tables are static when ``list_tables`` returns a literal (or a name bound to one, seen
through ``list()``/``sorted()``/``.keys()``); each table's schema and metadata are then found
in the dict the names come from, in other module-level dicts keyed by table name, in
``if table_name == "x":`` branches, or, for a single table, in the methods themselves. A
connector that discovers its tables at run time (Kinto's are a bucket's collections) has
``tables is None`` and a ``tables_reason`` saying so; checks then fall back to what holds for
every table (the metadata literals and every ``StructField`` name in the module).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from skillpack.review._ast import PyFile

#: the interface: method -> its arguments after ``self``
INTERFACE: dict[str, tuple[str, ...]] = {
    "list_tables": (),
    "get_table_schema": ("table_name", "table_options"),
    "read_table_metadata": ("table_name", "table_options"),
    "read_table": ("table_name", "start_offset", "table_options"),
    "read_table_deletes": ("table_name", "start_offset", "table_options"),
}
REQUIRED_METHODS = ("list_tables", "get_table_schema", "read_table_metadata", "read_table")
METADATA_KEYS = ("primary_keys", "cursor_field", "ingestion_type")


@dataclass
class Metadata:
    """A metadata dict literal (one with an ``ingestion_type`` key) as far as it is literal."""

    line: int
    keys: set[str]
    primary_keys: list[str] | None
    cursor_field: str | None
    cursor_known: bool
    ingestion_type: str | None
    ingestion_line: int


@dataclass
class TableFacts:
    """One statically known table: where it is named, its top-level fields and metadata."""

    name: str
    line: int
    fields: list[tuple[str, int]] | None = None
    schema_line: int | None = None
    metadata: Metadata | None = None


@dataclass
class ConnectorFacts:
    """The connector class and what is literal about its tables."""

    py: PyFile
    cls: ast.ClassDef | None
    methods: dict[str, ast.FunctionDef] = field(default_factory=dict)
    tables: list[TableFacts] | None = None
    tables_reason: str = ""
    metadata: list[Metadata] = field(default_factory=list)
    struct_fields: dict[str, int] = field(default_factory=dict)

    def table(self, name: str) -> TableFacts | None:
        return next((t for t in self.tables or () if t.name == name), None)


def is_struct(py: PyFile, node: ast.AST, kind: str = "StructType") -> bool:
    return isinstance(node, ast.Call) and py.call_name(node).rsplit(".", 1)[-1] == kind


def read_metadata(py: PyFile, node: ast.Dict) -> Metadata:
    """The literal parts of a metadata dict."""
    values: dict[str, ast.expr] = {}
    lines: dict[str, int] = {}
    for k, v in zip(node.keys, node.values, strict=True):
        key = py.const_str(k) if k is not None else None
        if key is not None:
            values[key], lines[key] = v, v.lineno
    pks: list[str] | None = None
    if "primary_keys" in values:
        raw = values["primary_keys"]
        items = py.str_items(raw)
        single = py.const_str(raw)
        pks = [s for s, _ in items] if items is not None else ([single] if single else None)
    cursor, known = None, False
    if "cursor_field" in values:
        resolved = py.resolve(values["cursor_field"])
        if isinstance(resolved, ast.Constant) and resolved.value is None:
            known = True
        else:
            cursor = py.const_str(resolved)
            known = cursor is not None
    return Metadata(
        line=node.lineno,
        keys=set(values),
        primary_keys=pks,
        cursor_field=cursor,
        cursor_known=known,
        ingestion_type=py.const_str(values.get("ingestion_type")),
        ingestion_line=lines.get("ingestion_type", node.lineno),
    )


def schema_fields(py: PyFile, call: ast.Call) -> list[tuple[str, int]] | None:
    """Top-level ``(name, line)`` of a ``StructType([...])`` call; ``None`` if not literal."""
    arg = call.args[0] if call.args else None
    for kw in call.keywords:
        if kw.arg == "fields":
            arg = kw.value
    return _field_list(py, arg)


def _field_list(py: PyFile, node: ast.expr | None) -> list[tuple[str, int]] | None:
    node = py.resolve(node)
    if not isinstance(node, (ast.List, ast.Tuple)):
        return None
    out: list[tuple[str, int]] = []
    for elt in node.elts:
        if isinstance(elt, ast.Starred):
            inner = _field_list(py, elt.value)
            if inner is None:
                return None
            out.extend(inner)
            continue
        target = py.resolve(elt)
        if not (isinstance(target, ast.Call) and is_struct(py, target, "StructField")):
            return None
        name_node = target.args[0] if target.args else None
        for kw in target.keywords:
            if kw.arg == "name":
                name_node = kw.value
        name = py.const_str(name_node)
        if name is None:
            return None
        out.append((name, target.lineno))
    return out


def _is_metadata(py: PyFile, node: ast.AST) -> bool:
    return isinstance(node, ast.Dict) and any(
        k is not None and py.const_str(k) == "ingestion_type" for k in node.keys
    )


def find_connector_class(py: PyFile) -> ast.ClassDef | None:
    """The connector class: the most derived LakeflowConnect subclass of the module, else the
    first class defining read_table."""
    classes = list(py.classes.values())
    used_as_base = {b for c in classes for b in py.base_names(c)}
    names: set[str] = set()
    grew = True
    while grew:  # subclasses of in-module connector classes are connectors too
        found = {
            c.name
            for c in classes
            if any(b.endswith("LakeflowConnect") or b in names for b in py.base_names(c))
        }
        grew, names = found != names, found
    connectors = [c for c in classes if c.name in names]
    # A shared base class in the module is extended by the concrete one: pick the leaf.
    leaves = [c for c in connectors if c.name not in used_as_base]
    if leaves or connectors:
        return (leaves or connectors)[0]
    readers = [c for c in classes if "read_table" in py.methods(c)]
    return readers[0] if readers else None


def all_methods(py: PyFile, cls: ast.ClassDef) -> dict[str, ast.FunctionDef]:
    """Methods of ``cls`` including those inherited from classes of the same module."""
    out: dict[str, ast.FunctionDef] = {}
    seen: set[str] = set()

    def collect(c: ast.ClassDef) -> None:
        if c.name in seen:
            return
        seen.add(c.name)
        for base in reversed(py.base_names(c)):
            if base in py.classes:
                collect(py.classes[base])
        out.update(py.methods(c))

    collect(cls)
    return out


def _dict_source(py: PyFile, node: ast.expr | None) -> ast.Dict | None:
    """The dict literal a table listing comes from (``list(_TABLES)``), if any."""
    node = py.resolve(node)
    while isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id in ("list", "sorted", "tuple"):
            node = py.resolve(node.args[0]) if node.args else None
        elif isinstance(node.func, ast.Attribute) and node.func.attr == "keys":
            node = py.resolve(node.func.value)
        else:
            return None
    return node if isinstance(node, ast.Dict) else None


def _static_tables(
    py: PyFile, methods: dict[str, ast.FunctionDef]
) -> tuple[list[tuple[str, int]] | None, ast.Dict | None, str]:
    fn = methods.get("list_tables")
    if fn is None:
        return None, None, "the connector defines no list_tables"
    returns = [n for n in ast.walk(fn) if isinstance(n, ast.Return) and n.value is not None]
    if len(returns) != 1:
        return None, None, "tables discovered at run time (list_tables is not one literal)"
    items = py.str_items(returns[0].value)
    if items is None:
        return None, None, "tables discovered at run time (list_tables does not return a literal)"
    return items, _dict_source(py, returns[0].value), ""


def _first(py: PyFile, node: ast.AST, pred) -> ast.AST | None:
    return next((n for n in py.find(node, ast.AST) if pred(n)), None)


def _branch_for(py: PyFile, fn: ast.FunctionDef | None, table: str) -> list[ast.stmt]:
    """Statements under ``if table_name == "table":`` in ``fn``."""
    if fn is None:
        return []
    param = fn.args.args[1].arg if len(fn.args.args) > 1 else "table_name"
    out: list[ast.stmt] = []
    for node in ast.walk(fn):
        if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
            continue
        test = node.test
        if len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
            continue
        sides = [test.left, test.comparators[0]]
        names = [s for s in sides if isinstance(s, ast.Name) and s.id == param]
        values = [py.const_str(s) for s in sides if not isinstance(s, ast.Name) or s.id != param]
        if names and values == [table]:
            out.extend(node.body)
    return out


def _details(
    py: PyFile,
    methods: dict[str, ast.FunctionDef],
    name: str,
    line: int,
    source: ast.Dict | None,
    single: bool,
) -> TableFacts:
    facts = TableFacts(name, line)
    places: list[ast.AST] = []
    candidates = [source] if source is not None else []
    candidates += [v for v in py.constants.values() if isinstance(v, ast.Dict) and v is not source]
    for d in candidates:
        for k, v in zip(d.keys, d.values, strict=True):
            if k is not None and py.const_str(k) == name:
                places.append(v)
    schema_places = places + _branch_for(py, methods.get("get_table_schema"), name)
    meta_places = places + _branch_for(py, methods.get("read_table_metadata"), name)
    if single:
        schema_places += [m for m in (methods.get("get_table_schema"),) if m is not None]
        meta_places += [m for m in (methods.get("read_table_metadata"),) if m is not None]
    for place in schema_places:
        found = _first(py, place, lambda n: is_struct(py, n))
        if isinstance(found, ast.Call):
            facts.fields, facts.schema_line = schema_fields(py, found), found.lineno
            break
    for place in meta_places:
        found = _first(py, place, lambda n: _is_metadata(py, n))
        if isinstance(found, ast.Dict):
            facts.metadata = read_metadata(py, found)
            break
    return facts


def connector_facts(py: PyFile) -> ConnectorFacts:
    """Everything literal about the connector in ``py``."""
    cls = find_connector_class(py)
    facts = ConnectorFacts(py, cls)
    facts.metadata = [read_metadata(py, n) for n in py.nodes if _is_metadata(py, n)]
    facts.metadata.sort(key=lambda m: m.line)
    for node in py.nodes:
        if isinstance(node, ast.Call) and is_struct(py, node, "StructField") and node.args:
            name = py.const_str(node.args[0])
            if name is not None:
                facts.struct_fields.setdefault(name, node.lineno)
    if cls is None:
        facts.tables_reason = "no connector class found"
        return facts
    facts.methods = all_methods(py, cls)
    items, source, reason = _static_tables(py, facts.methods)
    if items is None:
        facts.tables_reason = reason
        return facts
    single = len(items) == 1
    facts.tables = [_details(py, facts.methods, n, line, source, single) for n, line in items]
    return facts


def option_reads(py: PyFile, names: tuple[str, ...] = ("options",)) -> list[tuple[str, int]]:
    """Constant keys read from ``options`` / ``self.options`` (``[k]`` or ``.get(k)``)."""

    def is_options(node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id in names
        return isinstance(node, ast.Attribute) and node.attr in names

    out: list[tuple[str, int]] = []
    for node in py.nodes:
        key: str | None = None
        if isinstance(node, ast.Subscript) and is_options(node.value):
            key = py.const_str(node.slice)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and is_options(node.func.value)
            and node.args
        ):
            key = py.const_str(node.args[0])
        if key is not None:
            out.append((key, node.lineno))
    return sorted(set(out), key=lambda kv: (kv[1], kv[0]))
