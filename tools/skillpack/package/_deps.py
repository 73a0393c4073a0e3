"""Which distributions a connector needs at run time, read from its imports with ``ast``.

An import counts as a run-time need when it runs on import: at module level (class bodies
included), outside ``if TYPE_CHECKING:`` and outside a ``try`` that catches ``ImportError``.
Imports inside functions or guarded that way are *optional*: they are reported, never
declared, which is how ``pyspark`` stays out of a connector that only touches it lazily.

Top-level names map to distributions this way: the standard library is dropped,
``skillpack`` is ``connector-skillpack``, the source's own modules are local, and anything
else goes through ``importlib.metadata.packages_distributions()``; a name that maps to no
installed distribution is reported as unresolved.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from skillpack import __version__
from skillpack.errors import InputError
from skillpack.layout import UPSTREAM_PACKAGE, SourcePaths

PACK_DISTRIBUTION = "connector-skillpack"
#: distributions that are tools, test or agent machinery: never needed by a running connector
TOOLING_DISTRIBUTIONS = frozenset(
    {PACK_DISTRIBUTION, "pytest", "mcp", "libcst", "gitpython", "vcrpy", "build", "hatchling"}
)
#: folders of a source that never go into a package: build output, credentials, caches
SKIPPED_DIRS = frozenset({"dist", "build", "configs", "__pycache__", "tests", "test"})
_GUARD_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def pack_requirement() -> str:
    """The requirement on the pack itself, at least the running version."""
    return f"{PACK_DISTRIBUTION}>={__version__}"


def is_test_only(path: Path) -> bool:
    """Test files and write-back utilities: never packaged, never scanned for dependencies."""
    name = path.name
    return (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name.endswith("_test_utils.py")
        or name == "conftest.py"
    )


def package_files(source_dir: Path, skip: Iterable[Path] = ()) -> list[Path]:
    """Every file of the source that belongs in its package, sorted.

    Left out: hidden files, ``pyproject.toml`` (it is the package's own metadata), the
    ``SKIPPED_DIRS`` folders, compiled files, test-only files and anything under ``skip``.
    """
    skipped = [p.resolve() for p in skip]
    found: list[Path] = []
    for path in sorted(source_dir.rglob("*")):
        rel = path.relative_to(source_dir)
        if any(part.startswith(".") or part in SKIPPED_DIRS for part in rel.parts[:-1]):
            continue
        if not path.is_file() or rel.name.startswith(".") or rel.suffix in (".pyc", ".pyo"):
            continue
        if rel == Path("pyproject.toml") or rel.name.endswith(".egg-info"):
            continue
        if rel.suffix == ".py" and is_test_only(rel):
            continue
        resolved = path.resolve()
        if any(resolved.is_relative_to(s) for s in skipped):
            continue
        found.append(path)
    return found


@dataclass(frozen=True)
class ImportUse:
    """One import statement's top-level module, and whether the code needs it to load."""

    module: str
    file: str
    line: int
    required: bool


def parse_python(text: str, filename: str) -> ast.Module:
    """``ast.parse`` with a syntax error turned into ``InputError`` naming file and line."""
    try:
        return ast.parse(text, filename=filename)
    except SyntaxError as exc:
        where = f"{filename}:{exc.lineno}" if exc.lineno else filename
        code_line = (exc.text or "").strip()
        shown = f": `{code_line}`" if code_line else ""
        raise InputError(
            f"{where}: {exc.msg}{shown}",
            hint="fix the syntax error, then package again",
            code="syntax-error",
        ) from None


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _catches_import_error(node: ast.Try) -> bool:
    for handler in node.handlers:
        kinds = handler.type
        names = kinds.elts if isinstance(kinds, ast.Tuple) else [kinds]
        for kind in names:
            if kind is None or (isinstance(kind, ast.Name) and kind.id in _GUARD_ERRORS):
                return True
    return False


def _walk(nodes: list[ast.stmt], required: bool) -> Iterator[tuple[ast.stmt, bool]]:
    """Every statement with whether it runs unguarded when the module is imported."""
    for node in nodes:
        yield node, required
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield from _walk(node.body, False)
        elif isinstance(node, ast.ClassDef):
            yield from _walk(node.body, required)
        elif isinstance(node, ast.If):
            guarded = _is_type_checking(node.test)
            yield from _walk(node.body, required and not guarded)
            yield from _walk(node.orelse, required)
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            guarded = _catches_import_error(node)  # type: ignore[arg-type]
            yield from _walk(node.body, required and not guarded)
            for handler in node.handlers:  # type: ignore[attr-defined]
                yield from _walk(handler.body, False)
            yield from _walk(node.orelse, required and not guarded)  # type: ignore[attr-defined]
            yield from _walk(node.finalbody, required)  # type: ignore[attr-defined]
        elif isinstance(node, (ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)):
            yield from _walk(node.body, required)
            yield from _walk(getattr(node, "orelse", []), required)
        elif type(node).__name__ == "Match":
            for case in node.cases:  # type: ignore[attr-defined]
                yield from _walk(case.body, required)


def scan_imports(tree: ast.Module, filename: str) -> list[ImportUse]:
    """The absolute imports of a parsed module (relative ones are always local)."""
    uses: list[ImportUse] = []
    for node, required in _walk(tree.body, True):
        if isinstance(node, ast.Import):
            for alias in node.names:
                uses.append(ImportUse(alias.name, filename, node.lineno, required))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            uses.append(ImportUse(node.module, filename, node.lineno, required))
    return uses


@cache
def _distributions_by_module() -> dict[str, list[str]]:
    return metadata.packages_distributions()


def distribution_for(top: str) -> str | None:
    """The installed distribution providing top-level module ``top``, if any."""
    if top == "skillpack":
        return PACK_DISTRIBUTION
    dists = sorted(set(_distributions_by_module().get(top, [])), key=str.lower)
    return dists[0] if dists else None


def is_stdlib(top: str) -> bool:
    """True for standard-library modules (and ``__future__``)."""
    return top in sys.stdlib_module_names or top == "__future__"


def local_prefixes(paths: SourcePaths, package: str) -> tuple[str, ...]:
    """Dotted prefixes that name the source's own modules, in the workspace and packaged."""
    return (f"sources.{paths.name}", f"{UPSTREAM_PACKAGE}.{paths.name}", package)


def is_local(module: str, prefixes: tuple[str, ...], local_tops: set[str]) -> bool:
    """Whether ``module`` is one of the source's own modules."""
    if module.split(".")[0] in local_tops:
        return True
    return any(module == p or module.startswith(p + ".") for p in prefixes)


@dataclass
class Detection:
    """What a scan found: requirements to declare, and the imports it could not declare."""

    requirements: list[str]
    unresolved: list[str]
    optional: list[str]


def detect(
    uses: Iterable[ImportUse], prefixes: tuple[str, ...] = (), local_tops: set[str] | None = None
) -> Detection:
    """Requirements for ``uses``: sorted by name, the pack at its running version."""
    local_tops = local_tops or set()
    required: dict[str, str] = {}
    unresolved: set[str] = set()
    optional: set[str] = set()
    for use in uses:
        top = use.module.split(".")[0]
        if is_stdlib(top) or is_local(use.module, prefixes, local_tops):
            continue
        dist = distribution_for(top)
        if not use.required:
            optional.add(dist or top)
            continue
        if dist is None:
            unresolved.add(top)
        elif dist == PACK_DISTRIBUTION:
            required[dist] = pack_requirement()
        else:
            required[canonicalize_name(dist)] = dist
    optional -= set(required.values()) | {PACK_DISTRIBUTION}
    return Detection(
        requirements=[required[k] for k in sorted(required)],
        unresolved=sorted(unresolved),
        optional=sorted(o for o in optional if canonicalize_name(o) not in required),
    )


# --- what is installed here, for verification ---------------------------------------------


@dataclass(frozen=True)
class Installed:
    """An installed distribution and the top-level entries it put in its site folder."""

    name: str
    location: Path
    entries: tuple[str, ...]


def _entries(dist: metadata.Distribution) -> tuple[str, ...]:
    tops: set[str] = set()
    for file in dist.files or ():
        parts = Path(str(file)).parts
        if not parts or parts[0] in ("..", "__pycache__") or parts[0].endswith(".pth"):
            continue
        tops.add(parts[0])
    if not tops:
        text = dist.read_text("top_level.txt") or ""
        tops.update(line.strip() for line in text.splitlines() if line.strip())
    return tuple(sorted(tops))


def closure(
    requirements: Iterable[str], skip: Iterable[str] = ()
) -> tuple[list[Installed], list[str]]:
    """Installed distributions needed by ``requirements``, transitively; and the missing ones.

    Markers are evaluated for this interpreter, extras named in a requirement are followed,
    and distributions in ``skip`` (canonical names) are left out with their dependencies.
    """
    skipped = {canonicalize_name(s) for s in skip}
    env = default_environment()
    seen: dict[str, Installed] = {}
    done: set[tuple[str, frozenset[str]]] = set()
    missing: set[str] = set()
    todo: list[tuple[str, frozenset[str]]] = []
    for spec in requirements:
        req = Requirement(spec)
        # A wheel's own Requires-Dist lists its extras too (`; extra == "spark"`): an
        # install without extras needs only the lines whose marker holds with none.
        if req.marker is None or req.marker.evaluate({**env, "extra": ""}):
            todo.append((req.name, frozenset(req.extras)))
    while todo:
        name, extras = todo.pop()
        key = canonicalize_name(name)
        if key in skipped or (key, extras) in done:
            continue
        done.add((key, extras))
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            missing.add(key)
            continue
        if key not in seen:
            location = Path(str(dist.locate_file("")))
            seen[key] = Installed(dist.metadata["Name"], location, _entries(dist))
        for spec in dist.requires or ():
            try:
                req = Requirement(spec)
            except InvalidRequirement:
                continue
            wanted = req.marker is None or any(
                req.marker.evaluate({**env, "extra": extra}) for extra in ("", *extras)
            )
            if wanted:
                todo.append((req.name, frozenset(req.extras)))
    return [seen[k] for k in sorted(seen)], sorted(missing)


def link_installed(dists: Iterable[Installed], target: Path) -> None:
    """Make ``target`` a folder holding (symlinks to) exactly these distributions' files."""
    target.mkdir(parents=True, exist_ok=True)
    for dist in dists:
        for entry in dist.entries:
            link, real = target / entry, dist.location / entry
            if link.exists() or not real.exists():
                continue
            link.symlink_to(real, target_is_directory=real.is_dir())
