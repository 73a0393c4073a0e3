"""The single-file form: a connector, its helpers and the pack modules it uses, in one module.

Starting from the connector module, every ``from M import name`` of an internal module (the
pack's ``skillpack.*`` or the source's own modules, relative imports included) is followed
with libcst, transitively. The modules are emitted in dependency order, each as a section:

- its docstring, ``__all__`` and internal imports are dropped; references to imported names
  are renamed to the name the definition has in the merged module;
- its module-level third-party and standard-library imports are hoisted into one sorted
  import block at the top (what the module needs to run: e.g. ``requests``);
- a top-level name that two modules define differently, or that shadows a builtin, is
  renamed in the later module (``_MISSING`` becomes ``_MISSING_2``), scope-aware, so the
  merged code means what the separate modules meant.

Forms that cannot be merged faithfully (``import skillpack.sdk.http``, ``from M import *``,
importing a module object with ``from pkg import module``) raise ``InputError`` naming the line.
"""

from __future__ import annotations

import builtins
import importlib.util
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst.metadata import (
    Assignment,
    ImportAssignment,
    MetadataWrapper,
    PositionProvider,
    ScopeProvider,
)

from skillpack.errors import InputError
from skillpack.layout import UPSTREAM_PACKAGE, SourcePaths
from skillpack.package._deps import is_stdlib
from skillpack.package._rewrite import (
    LINE_LENGTH,
    WORD,
    Rewrite,
    body_text,
    dotted,
    import_block,
)

_BUILTINS = frozenset(dir(builtins))


def _cannot(module: _Module, node: cst.CSTNode, what: str) -> InputError:
    line = module.wrapper.resolve(PositionProvider)[node].start.line
    return InputError(
        f"{module.path}:{line}: {what}",
        hint="write `from MODULE import NAME` for what the connector uses, then package again",
        code="cannot-merge",
    )


# Binding keys: what object a top-level name is bound to, so identical imports may share it.
ExtKey = tuple[str, str, str]  # ("mod", module, "") or ("attr", module, member)


@dataclass
class _Module:
    """One module to merge, with its parse, scopes and what its top-level names are."""

    name: str
    path: Path
    is_package: bool
    text: str
    wrapper: MetadataWrapper
    top_imports: set[int] = field(default_factory=set)
    internal_imports: list[tuple[cst.ImportFrom, str]] = field(default_factory=list)
    ext: dict[str, ExtKey] = field(default_factory=dict)
    ext_imports: list[tuple[str, str, str, str]] = field(default_factory=list)
    aliases: dict[str, tuple[str, str]] = field(default_factory=dict)
    defs: list[str] = field(default_factory=list)

    @property
    def package(self) -> str:
        return self.name if self.is_package else self.name.rpartition(".")[0]


class _Merger:
    """Collects modules from the connector on, then writes them out as one."""

    def __init__(self, paths: SourcePaths) -> None:
        self.paths = paths
        self.local = f"sources.{paths.name}"
        self.modules: dict[str, _Module] = {}
        self.order: list[str] = []
        self.final: dict[tuple[str, str], str] = {}
        self.hoisted: dict[str, set[tuple[str, str]]] = {}  # "mod"|module -> names
        #: where in ``order`` the modules loaded for the Spark adapter start
        self.extra_from = 0

    # --- finding modules -------------------------------------------------------------------

    def _canonical(self, name: str) -> str:
        for prefix in (f"sources.{self.paths.name}", f"{UPSTREAM_PACKAGE}.{self.paths.name}"):
            if name == prefix or name.startswith(prefix + "."):
                return self.local + name[len(prefix) :]
        return name

    def locate(self, name: str) -> tuple[Path, bool] | None:
        """File of internal module ``name`` and whether it is a package; None if external."""
        name = self._canonical(name)
        if name == "skillpack" or name.startswith("skillpack."):
            spec = importlib.util.find_spec(name)
            if spec is None or spec.origin is None:
                return None
            origin = Path(spec.origin)
            return origin, origin.name == "__init__.py"
        if name == self.local or name.startswith(self.local + "."):
            rel = name[len(self.local) + 1 :].replace(".", "/")
            base = self.paths.source_dir / rel if rel else self.paths.source_dir
            if base.with_suffix(".py").is_file() and rel:
                return base.with_suffix(".py"), False
            if (base / "__init__.py").is_file():
                return base / "__init__.py", True
            if base.is_dir():
                return base / "__init__.py", True
        return None

    def _absolute(self, module: _Module, node: cst.ImportFrom) -> str:
        level = len(node.relative)
        target = dotted(node.module)
        if not level:
            return self._canonical(target)
        parts = module.package.split(".")
        if level - 1 > len(parts) - 1:
            raise _cannot(module, node, "relative import goes above the source folder")
        base = parts[: len(parts) - (level - 1)]
        return ".".join([*base, target] if target else base)

    def load(self, name: str, path: Path, is_package: bool) -> None:
        """Parse ``name`` and everything internal it imports (depth first, dependencies first)."""
        if name in self.modules:
            return
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        try:
            tree = cst.parse_module(text)
        except cst.ParserSyntaxError as exc:
            raise InputError(
                f"{path}:{exc.raw_line}: invalid syntax",
                hint="fix it, then package again",
                code="syntax-error",
            ) from None
        # The tree is ours alone, so the wrapper need not copy it.
        module = _Module(name, path, is_package, text, MetadataWrapper(tree, unsafe_skip_copy=True))
        self.modules[name] = module
        self._classify(module)
        for node, target in module.internal_imports:
            found = self.locate(target)
            if found is None:
                raise _cannot(module, node, f"cannot find module `{target}`")
            self.load(target, *found)
        self.order.append(name)

    def _classify(self, module: _Module) -> None:
        body = module.wrapper.module.body
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)):
                        module.top_imports.add(id(small))
                    # A star import binds no name the scope analysis could report.
                    if isinstance(small, cst.ImportFrom) and isinstance(
                        small.names, cst.ImportStar
                    ):
                        target = self._absolute(module, small)
                        raise _cannot(module, small, f"`from {target} import *` cannot be merged")
        # Every import binds a name in some scope, so the scope analysis already found them
        # all; this spares a second walk of the tree. Scopes and bindings come in source order.
        imports: dict[int, cst.Import | cst.ImportFrom] = {}
        for scope in dict.fromkeys(module.wrapper.resolve(ScopeProvider).values()):
            for assignment in scope.assignments if scope is not None else ():
                if isinstance(assignment, ImportAssignment):
                    imports.setdefault(id(assignment.node), assignment.node)  # type: ignore[arg-type]
        for node in imports.values():
            self._classify_import(module, node)
        scope = module.wrapper.resolve(ScopeProvider)[module.wrapper.module]
        assert scope is not None
        seen: list[str] = []
        for assignment in scope.assignments:
            name = assignment.name
            if name in seen or name == "__all__":
                continue
            if isinstance(assignment, ImportAssignment):
                node = assignment.node
                if id(node) in module.top_imports or self._is_internal(module, node):
                    continue
            seen.append(name)
        module.defs = sorted(n for n in seen if n not in module.ext and n not in module.aliases)

    def _is_internal(self, module: _Module, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.ImportFrom):
            if node.relative:
                return True
            return self.locate(self._absolute(module, node)) is not None
        if isinstance(node, cst.Import):
            return any(self.locate(dotted(a.name)) is not None for a in node.names)
        return False

    def _classify_import(self, module: _Module, node: cst.Import | cst.ImportFrom) -> None:
        top = id(node) in module.top_imports
        if isinstance(node, cst.Import):
            internal = [a for a in node.names if self.locate(dotted(a.name)) is not None]
            if internal:
                raise _cannot(
                    module, node, f"`import {dotted(internal[0].name)}` imports a module object"
                )
            if top:
                for alias in node.names:
                    imported = dotted(alias.name)
                    if alias.asname is not None:
                        local = dotted(alias.asname.name)  # type: ignore[arg-type]
                        module.ext[local] = ("mod", imported, "")
                    else:
                        # `import email.utils` binds `email`, the same object for any submodule
                        local = imported.split(".")[0]
                        module.ext[local] = ("mod", local, "")
                    module.ext_imports.append(("mod", imported, "", local))
            return
        target = self._absolute(module, node)
        if target == "__future__":
            return
        if node.relative or self.locate(target) is not None:
            if isinstance(node.names, cst.ImportStar):
                raise _cannot(module, node, f"`from {target} import *` cannot be merged")
            module.internal_imports.append((node, target))
            if top:
                for alias in node.names:
                    local = dotted(alias.asname.name if alias.asname else alias.name)  # type: ignore[arg-type]
                    module.aliases[local] = (target, dotted(alias.name))
            return
        if top:
            if isinstance(node.names, cst.ImportStar):
                raise _cannot(module, node, f"`from {target} import *` cannot be merged")
            for alias in node.names:
                local = dotted(alias.asname.name if alias.asname else alias.name)  # type: ignore[arg-type]
                module.ext[local] = ("attr", target, dotted(alias.name))
                module.ext_imports.append(("attr", target, dotted(alias.name), local))

    # --- naming ----------------------------------------------------------------------------

    def assign_names(self) -> None:
        """Give every top-level binding its merged name; the connector module claims first."""
        used = {w for m in self.modules.values() for w in WORD.findall(m.text)}
        taken: dict[str, tuple[str, str, str]] = {}

        def claim(module: str, name: str, key: tuple[str, str, str]) -> None:
            # A top-level name shadowing a builtin would shadow it for every merged module.
            owner = taken.get(name)
            if owner == key or (owner is None and name not in _BUILTINS):
                taken[name] = key
                self.final[(module, name)] = name
                return
            n = 2
            while f"{name}_{n}" in used or f"{name}_{n}" in taken:
                n += 1
            taken[f"{name}_{n}"] = key
            self.final[(module, name)] = f"{name}_{n}"

        # Dependencies come before their users in ``order``; a module merged only for the
        # Spark adapter claims after the connector's own modules, so they keep their names.
        core, extra = self.order[: self.extra_from], self.order[self.extra_from :]
        for name in [*reversed(core), *reversed(extra)]:
            module = self.modules[name]
            for local in module.defs:
                claim(name, local, ("def", name, ""))
            for local, key in sorted(module.ext.items()):
                claim(name, local, key)

    def resolve(self, module: str, name: str, via: _Module, node: cst.CSTNode) -> str:
        """The merged name of ``name`` as seen from ``module`` (following re-exports)."""
        seen: set[tuple[str, str]] = set()
        while (module, name) not in self.final:
            if (module, name) in seen:
                raise _cannot(via, node, f"`{name}` is imported in a cycle")
            seen.add((module, name))
            source = self.modules[module]
            if name in source.aliases:
                module, name = source.aliases[name]
                continue
            if source.is_package and self.locate(f"{module}.{name}") is not None:
                raise _cannot(via, node, f"`{module}.{name}` is a module; import names from it")
            raise _cannot(via, node, f"`{name}` is not defined in `{module}`")
        return self.final[(module, name)]

    # --- writing ---------------------------------------------------------------------------

    def section(self, module: _Module) -> str:
        """The module's code with its imports removed and its names resolved."""
        scopes = module.wrapper.resolve(ScopeProvider)
        global_scope = scopes[module.wrapper.module]
        assert global_scope is not None
        renames: dict[int, str] = {}
        module_renames: dict[str, str] = {}

        def rename_refs(assignment: Assignment | ImportAssignment, new: str) -> None:
            for ref in assignment.references:
                if isinstance(ref.node, cst.Name):
                    renames[id(ref.node)] = new

        for assignment in global_scope.assignments:
            name = assignment.name
            new = self.final.get((module.name, name))
            if new is None or new == name:
                continue
            module_renames[name] = new
            rename_refs(assignment, new)  # type: ignore[arg-type]
            node = assignment.node
            if isinstance(node, cst.Name):
                renames[id(node)] = new
            elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                renames[id(node.name)] = new
            elif id(node) not in module.top_imports:
                raise _cannot(module, node, f"`{name}` clashes with a name of another module")
        drop: set[int] = set()
        for node, target in module.internal_imports:
            drop.add(id(node))
            scope = scopes[node]
            assert scope is not None
            for alias in node.names:  # type: ignore[union-attr]
                local = dotted(alias.asname.name if alias.asname else alias.name)  # type: ignore[arg-type]
                new = self.resolve(target, dotted(alias.name), module, node)
                if new != local and scope is global_scope:
                    module_renames[local] = new
                for assignment in scope.assignments[local]:
                    if assignment.node is node:
                        rename_refs(assignment, new)  # type: ignore[arg-type]
        for kind, target, member, local in module.ext_imports:
            self._hoist(kind, target, member, self.final[(module.name, local)])
        drop.update(module.top_imports)
        rewritten = module.wrapper.module.visit(Rewrite(renames, drop, module_renames))
        return body_text(rewritten)

    def _hoist(self, kind: str, target: str, member: str, local: str) -> None:
        if kind == "mod":
            self.hoisted.setdefault("", set()).add((target, local))
        else:
            self.hoisted.setdefault(target, set()).add((member, local))


# --- the whole file -------------------------------------------------------------------------


@dataclass
class Merged:
    """The merged module's text and what went into it."""

    text: str
    modules: list[str]
    third_party: list[str]


def _docstring(source: str, modules: Iterable[str], needs: list[str]) -> str:
    listed = ", ".join(modules)
    body = (
        f"The `{source}` connector in one module, for deployments that take a single file. "
        f"Generated by `skillpack package --single-file` from these modules, in order: {listed}. "
        f"Besides the standard library it needs: {', '.join(needs) or 'nothing'}. "
        "Package again rather than editing it."
    )
    lines = textwrap.wrap(body, width=LINE_LENGTH - 4, break_on_hyphens=False)
    first, rest = lines[0], lines[1:]
    if not rest:
        return f'"""{first}"""\n'
    return f'"""{first}\n' + "".join(f"{line}\n" for line in rest) + '"""\n'


#: the Spark adapter the single-file form carries (its ``register`` and what it needs)
SPARK_ADAPTER = "skillpack.spark._source"
#: imports only the Spark adapter needs; the merged module imports without them
_SPARK_ONLY = ("pyspark", "pyarrow")


def merge_connector(paths: SourcePaths, *, with_spark: bool = False) -> Merged:
    """Merge the connector of ``paths`` with its helpers and the pack modules it uses.

    ``with_spark`` also merges the Spark adapter (``register`` and the data source), so a
    pipeline needs this one file. pyspark and pyarrow stay optional: their imports sit in
    a ``try`` block, and only the adapter's code, run by ``register``, needs them.
    """
    merger = _Merger(paths)
    main = f"{merger.local}.{paths.name}"
    merger.load(main, paths.connector_module, False)
    merger.extra_from = len(merger.order)
    if with_spark:
        found = merger.locate(SPARK_ADAPTER)
        if found is None:
            raise InputError(
                "the Spark adapter is not installed with this skillpack",
                hint="pip install 'connector-skillpack[spark]'",
                code="missing-pyspark",
            )
        merger.load(SPARK_ADAPTER, *found)
    merger.assign_names()
    sections = []
    for name in merger.order:
        text = merger.section(merger.modules[name])
        if text:
            rule = "-" * max(3, LINE_LENGTH - 7 - len(name))
            sections.append(f"# --- {name} {rule}\n{text}")
    plain, optional = _split_optional(merger.hoisted)
    imports = import_block(plain)
    if optional:
        imports += ("\n\n" if imports else "") + _optional_block(optional)
    third_party = sorted({t for t in _top_modules(plain) if not is_stdlib(t)})
    used = [n for n in merger.order if merger.modules[n].path.is_file()]
    head = _docstring(paths.name, used, third_party) + "\nfrom __future__ import annotations\n"
    text = head + ("\n" + imports + "\n" if imports else "") + "\n\n" + "\n\n".join(sections)
    return Merged(text=text, modules=used, third_party=third_party)


Hoisted = dict[str, set[tuple[str, str]]]


def _split_optional(hoisted: Hoisted) -> tuple[Hoisted, Hoisted]:
    """The hoisted imports every use needs, and those only the Spark adapter needs."""
    plain: Hoisted = {}
    optional: Hoisted = {}
    for module, names in hoisted.items():
        if module == "":
            for target, local in names:
                side = optional if target.split(".")[0] in _SPARK_ONLY else plain
                side.setdefault("", set()).add((target, local))
        else:
            side = optional if module.split(".")[0] in _SPARK_ONLY else plain
            side[module] = set(names)
    return plain, optional


def _optional_block(optional: Hoisted) -> str:
    locals_ = sorted({local for names in optional.values() for _, local in names}, key=str.lower)
    body = textwrap.indent(import_block(optional), "    ")
    # Without pyspark the names still exist, so the adapter's classes define; only
    # register() (which needs a Spark session anyway) would use them.
    stand_ins = "".join(f"    {name} = _stand_in\n" for name in locals_)
    return (
        "try:  # pyspark >= 4 and pyarrow: needed by the Spark adapter below, not the connector\n"
        f"{body}\n"
        "except ImportError:\n"
        "    _stand_in = object\n"
        f"{stand_ins.rstrip()}"
    )


def _top_modules(hoisted: dict[str, set[tuple[str, str]]]) -> set[str]:
    tops = {module.split(".")[0] for module, _ in hoisted.get("", set())}
    tops.update(module.split(".")[0] for module in hoisted if module)
    return tops


def module_name_for(source: str) -> str:
    """File stem of the single-file form, e.g. ``example_connector``."""
    return f"{source}_connector"
