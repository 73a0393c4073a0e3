"""Everything a review reads about one source, read once and shared by every check.

Each piece is read lazily and cached, failure included: when the API doc is missing, every
check that needs it gets the same :class:`Unavailable` reason, and the report lists it under
"could not check" instead of crashing. Nothing here writes anything.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml

from skillpack.apidoc.models import ApiDoc, Param
from skillpack.apidoc.parse import read_doc
from skillpack.errors import SkillpackError
from skillpack.flavour import flavour_of
from skillpack.implement._files import is_unedited
from skillpack.layout import SourcePaths
from skillpack.review._ast import PyFile
from skillpack.review._code import ConnectorFacts, connector_facts
from skillpack.review._outcome import Hit, Outcome, Unavailable, failed, na, passed
from skillpack.review._secrets import compose

T = TypeVar("T")

#: bases that mark a class as a connector test class
SUITE = "LakeflowConnectTests"
WRITE_BACK = "LakeflowConnectWriteBackTests"
#: the older upstream style: a test function handing the class to a tester object
TESTER = "LakeflowConnectTester"
_SKIP_DIRS = {"__pycache__", ".venv", "venv", "build", "dist", ".git", "node_modules"}


class ReviewContext:
    """The files of one source and lazily parsed views of them."""

    def __init__(self, paths: SourcePaths) -> None:
        self.paths = paths
        self._cache: dict[str, Any] = {}

    # ---------------------------------------------------------------- plumbing

    def _lazy(self, key: str, read: Callable[[], T]) -> T:
        if key not in self._cache:
            try:
                self._cache[key] = read()
            except Unavailable as exc:
                self._cache[key] = exc
        value = self._cache[key]
        if isinstance(value, Unavailable):
            raise value
        return value

    def rel(self, path: Path) -> str:
        """``path`` relative to the workspace root, with forward slashes."""
        try:
            return path.relative_to(self.paths.root).as_posix()
        except ValueError:
            return path.name

    # ------------------------------------------------------------------ python

    @property
    def connector_py(self) -> PyFile:
        return self._lazy(
            "connector_py", lambda: PyFile.parse(self.paths.connector_module, "connector module")
        )

    @property
    def connector(self) -> ConnectorFacts:
        """The connector's facts; :class:`Unavailable` when no connector class is found."""

        def read() -> ConnectorFacts:
            facts = connector_facts(self.connector_py)
            if facts.cls is None:
                raise Unavailable(
                    f"no connector class in `{self.rel(self.paths.connector_module)}`"
                )
            return facts

        return self._lazy("connector", read)

    @property
    def test_py(self) -> PyFile:
        return self._lazy("test_py", lambda: PyFile.parse(self.paths.test_file, "test file"))

    @property
    def test_class(self) -> ast.ClassDef | None:
        """The class turning the suites on, if the test file has one."""
        py = self.test_py
        for cls in py.classes.values():
            if {SUITE, WRITE_BACK} & set(py.base_names(cls)):
                return cls
        return None

    @property
    def utils_py(self) -> PyFile:
        return self._lazy("utils_py", lambda: PyFile.parse(self.paths.test_utils, "test utils"))

    @property
    def utils_class(self) -> ast.ClassDef | None:
        """The write-back utilities class: the one the test class names, else a `*TestUtils`."""
        py = self.utils_py
        named = self._named_utils_class()
        if named and named in py.classes:
            return py.classes[named]
        for cls in py.classes.values():
            if "TestUtils" in cls.name or any("TestUtils" in b for b in py.base_names(cls)):
                return cls
        return None

    def _named_utils_class(self) -> str | None:
        try:
            cls = self.test_class
        except Unavailable:
            return None
        if cls is None:
            return None
        stmt = self.test_py.class_assign(cls, "test_utils_class")
        if stmt is not None and isinstance(stmt.value, (ast.Name, ast.Attribute)):
            return self.test_py.dotted(stmt.value).rsplit(".", 1)[-1]
        return None

    def python_files(self, where: str) -> list[PyFile]:
        """Every parseable Python file under the source (``source``) or its tests (``tests``)."""

        def read() -> list[PyFile]:
            base = self.paths.source_dir if where == "source" else self.paths.tests_dir
            helpers = flavour_of(self.paths).helpers_file
            out = []
            for path in _files(base, ("*.py",)):
                if self.paths.is_build_artifact(path):
                    continue  # a merged single-file build of the same code
                if path == helpers and is_unedited(path.read_text(encoding="utf-8")):
                    # The SDK's own code, merged in by the implement step and tested with
                    # the pack; the review judges the connector. Once edited, it is read too.
                    continue
                try:
                    out.append(PyFile.parse(path, "Python file"))
                except Unavailable:
                    continue  # the parse checks report the files that matter
            return out

        return self._lazy(f"py_{where}", read)

    # --------------------------------------------------------------- documents

    @property
    def doc(self) -> ApiDoc:
        """The parsed API doc."""

        def read() -> ApiDoc:
            path = self.paths.api_doc
            if not path.is_file():
                raise Unavailable(f"no API doc at `{self.rel(path)}`")
            try:
                return read_doc(str(path))
            except SkillpackError as exc:
                raise Unavailable(f"the API doc does not parse: {exc}") from None

        return self._lazy("doc", read)

    @property
    def has_write_back(self) -> bool:
        """Whether the API doc documents write-back endpoints."""
        doc = self.doc
        return any(t.write for t in doc.tables) or any(
            w.code == "write-back-unmatched" for w in doc.warnings
        )

    @property
    def spec(self) -> dict[str, Any]:
        """connector_spec.yaml's data; :class:`Unavailable` if missing or not YAML."""

        def read() -> dict[str, Any]:
            path = self.paths.connector_spec
            if not path.is_file():
                raise Unavailable(f"no connector spec at `{self.rel(path)}`")
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError):
                raise Unavailable("connector_spec.yaml is not valid YAML") from None
            if not isinstance(data, dict):
                raise Unavailable("connector_spec.yaml does not hold a mapping")
            return data

        return self._lazy("spec", read)

    def spec_lines(self) -> dict[str, int]:
        """Lines in the spec: ``name:X`` for parameter ``X``, ``key:K`` for mapping key ``K``."""

        def read() -> dict[str, int]:
            node = compose(self.paths.connector_spec.read_text(encoding="utf-8"))
            out: dict[str, int] = {}
            stack = [node] if node is not None else []
            while stack:
                current = stack.pop()
                if isinstance(current, yaml.MappingNode):
                    for k, v in current.value:
                        out.setdefault(f"key:{k.value}", k.start_mark.line + 1)
                        if k.value == "name" and isinstance(v, yaml.ScalarNode):
                            out.setdefault(f"name:{v.value}", k.start_mark.line + 1)
                        stack.append(v)
                elif isinstance(current, yaml.SequenceNode):
                    stack.extend(reversed(current.value))
            return out

        self.spec  # noqa: B018 - raises Unavailable first when the spec is missing or broken
        return self._lazy("spec_lines", read)

    def cassettes(self) -> list[Path]:
        """Recorded cassette files, sorted."""
        return _files(self.paths.cassettes_dir, ("*.yaml", "*.yml", "*.json"))

    def cassette_node(self, path: Path) -> yaml.Node | None:
        """A cassette's YAML node tree (with lines), or ``None`` when it is not YAML."""
        key = f"cassette:{path}"
        if key not in self._cache:
            try:
                self._cache[key] = compose(path.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError):
                self._cache[key] = None
        return self._cache[key]

    def data_files(self) -> list[Path]:
        """YAML/JSON documents reviewed for secrets: specs and stand-in (replay) configs.

        The real credentials file (dev_config.json) is meant to hold secrets and is skipped.
        """
        private = {self.paths.dev_config.resolve(), self.paths.table_config.resolve()}
        found = [self.paths.connector_spec, self.paths.simulator_spec, self.paths.replay_config]
        found += _files(self.paths.tests_dir / "configs", ("*.json", "*.yaml", "*.yml"))
        unique = {p.resolve(): p for p in found if p.is_file() and p.resolve() not in private}
        return sorted(unique.values())

    def markdown_files(self) -> list[Path]:
        """Markdown documents of the source (the API doc, a README), never the report."""
        report = self.paths.self_review.resolve()
        return [p for p in _files(self.paths.source_dir, ("*.md",)) if p.resolve() != report]


# ------------------------------------------------------- shared by the check modules


def parse_outcome(ctx: ReviewContext, path: Path, label: str, noun: str) -> Outcome:
    """Whether the Python file at ``path`` (``label``, ``noun`` in messages) exists and parses."""
    if not path.is_file():
        return failed(Hit(f"no {label} at `{ctx.rel(path)}`", path))
    try:
        ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError as exc:
        return failed(Hit(f"syntax error: {exc.msg}", path, exc.lineno or 1))
    except (UnicodeDecodeError, ValueError):
        return failed(Hit(f"{noun} is not UTF-8 Python text", path, 1))
    return passed()


def doc_params(doc: ApiDoc) -> list[Param]:
    """Every connection parameter the doc lists: its auth fields, then the others."""
    return [p for m in doc.auth for p in m.fields] + list(doc.connection_params)


def without_write_back(ctx: ReviewContext) -> Outcome | None:
    """N/A when the API doc documents no write-back, else ``None``."""
    if not ctx.has_write_back:
        return na("the API doc documents no write-back")
    return None


def checkout_doc_template(ctx: ReviewContext) -> Outcome | None:
    """N/A in a Lakeflow Community Connectors checkout for checks of our doc template.

    Its API docs follow its own template (``templates/source_api_doc_template.md``), which the
    doc parser reads only in part; grading them against ours would report parser misses.
    """
    if ctx.paths.layout == "upstream":
        return na("the checkout's API docs follow its own template, not the pack's")
    return None


def without_utils(ctx: ReviewContext) -> Outcome | None:
    """N/A when the source has no write-back utilities file, else ``None``."""
    if not ctx.paths.test_utils.is_file():
        return na("no write-back utilities")
    return None


def by_place(hit: Hit) -> tuple[str, int]:
    """Sort key putting hits in file, then line order."""
    return (str(hit.path), hit.line or 0)


def _files(base: Path, patterns: tuple[str, ...]) -> list[Path]:
    if not base.is_dir():
        return []
    out: set[Path] = set()
    for pattern in patterns:
        for path in base.rglob(pattern):
            rel = path.relative_to(base).parts
            if path.is_file() and not _SKIP_DIRS & set(rel[:-1]):
                out.add(path)
    return sorted(out)
