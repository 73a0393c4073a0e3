"""Where a source's files live: the one module that knows the workspace layouts.

Two layouts are understood, and detected from what is on disk:

``skillpack`` (ours)::

    ROOT/sources/NAME/NAME.py                connector module
    ROOT/sources/NAME/NAME_api_doc.md        API doc
    ROOT/sources/NAME/connector_spec.yaml    connection parameters and table options
    ROOT/sources/NAME/simulator_spec.yaml    offline simulator description
    ROOT/sources/NAME/configs/dev_config.json    credentials (git-ignored, 0600)
    ROOT/tests/sources/NAME/test_NAME.py     test file
    ROOT/tests/sources/NAME/NAME_test_utils.py   write-back utilities
    ROOT/tests/sources/NAME/cassettes/       recorded HTTP exchanges

``upstream`` (a Lakeflow Community Connectors checkout)::

    ROOT/src/databricks/labs/community_connector/sources/NAME/NAME.py
    ROOT/src/.../sources/NAME/NAME_api_doc.md or NAME_source_api_doc.md (either name)
    ROOT/src/.../sources/NAME/connector_spec.yaml, pyproject.toml (per-source package)
    ROOT/src/.../sources/NAME/_generated_NAME_python_source.py   (build artifact: ignored)
    ROOT/src/databricks/labs/community_connector/source_simulator/specs/NAME/endpoints.yaml
    ROOT/src/databricks/labs/community_connector/source_simulator/specs/NAME/corpus/*.json
    ROOT/tests/unit/sources/NAME/test_NAME_lakeflow_connect.py
    ROOT/tests/unit/sources/NAME/NAME_test_utils.py
    ROOT/tests/unit/sources/NAME/configs/dev_table_config.json  (optional table options)
    ROOT/tests/unit/sources/{test_suite,test_partition_suite,test_write_back_suite}.py
    ROOT/tests/unit/sources/lakeflow_connect_test_utils.py     (write-back utils base)

Credentials there come from ``CONNECTOR_TEST_CONFIG_JSON``/``_PATH`` or the test class's
``replay_config``; ``configs/dev_config.json`` beside the tests is still read when present.

Nothing else in the package hard-codes these paths.
"""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from skillpack.errors import InputError

SOURCE_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
#: longest source name accepted: it is repeated in paths, module and package names
MAX_SOURCE_NAME = 64
#: soft keywords of every supported Python (``type`` became one in 3.12)
SOFT_KEYWORDS = frozenset({"match", "case", "type", "_", *keyword.softkwlist})
#: top-level packages of the pack and of a workspace that a source must not shadow
RESERVED_NAMES = frozenset(
    {"skillpack", "sources", "tests", "test", "src", "databricks", "pyspark", "conftest",
     "configs", "build", "dist", "setup"}
)  # fmt: skip
UPSTREAM_SOURCES = Path("src/databricks/labs/community_connector/sources")
UPSTREAM_TESTS = Path("tests/unit/sources")
UPSTREAM_PACKAGE = "databricks.labs.community_connector.sources"
UPSTREAM_SIM_SPECS = Path("src/databricks/labs/community_connector/source_simulator/specs")
#: the shared suites and write-back base of a checkout, beside the per-source test folders
UPSTREAM_SUITES = ("test_suite.py", "test_partition_suite.py", "test_write_back_suite.py")
UPSTREAM_UTILS_BASE = "lakeflow_connect_test_utils.py"
#: how each layout is described to people (``skillpack where``)
FLAVOURS = {
    "upstream": "Lakeflow Community Connectors checkout",
    "skillpack": "standalone skillpack workspace",
}

Layout = Literal["skillpack", "upstream"]


def validate_source_name(name: object) -> str:
    """Return ``name`` if it is a valid source name, else raise ``InputError``.

    The one check every front door uses (CLI, Python, MCP input models): a name becomes a
    module and a package (``sources.NAME.NAME``), so it must be an identifier that is not
    a keyword, does not shadow the standard library or the workspace's own top-level
    packages, and stays short enough for file names built from it.
    """
    if not isinstance(name, str):
        raise InputError(
            f"invalid source name of type `{type(name).__name__}`",
            hint="pass the source name as a string, e.g. `hubspot`",
            code="bad-source-name",
        )
    shown = echo(name, 40)
    if len(name) > MAX_SOURCE_NAME:
        raise InputError(
            f"source name `{shown}` is {len(name)} characters long; the limit is {MAX_SOURCE_NAME}",
            hint="use a short name such as `hubspot` or `my_api`",
            code="bad-source-name",
        )
    if not SOURCE_NAME_RE.match(name):
        raise InputError(
            f"invalid source name `{shown}`",
            hint="use lowercase letters, digits and underscores, starting with a letter "
            "(e.g. `hubspot` or `my_api`)",
            code="bad-source-name",
        )
    if keyword.iskeyword(name) or name in SOFT_KEYWORDS:
        why = "a Python keyword: `from sources.{0}.{0} import ...` would not parse"
    elif name in sys.stdlib_module_names:
        why = "a standard-library module: the connector would shadow `import {0}`"
    elif name in RESERVED_NAMES:
        why = "the name of one of the pack's or the workspace's own packages"
    else:
        return name
    raise InputError(
        f"source name `{name}` is {why.format(name)}",
        hint=f"add a word to it, e.g. `{name}_api` or `my_{name}`",
        code="bad-source-name",
    )


def echo(value: object, limit: int = 80) -> str:
    """``value`` as text short enough to quote in a one-line error (never a 60 MB string)."""
    text = str(value)
    text = text.replace("\n", "\\n").replace("\r", "\\r")
    if len(text) <= limit:
        return text
    return f"{text[: limit - 20]}...({len(text)} characters)"


def detect_layout(root: Path) -> Layout:
    """Tell which layout ``root`` uses; an empty or new folder counts as ours."""
    if (root / UPSTREAM_SOURCES).is_dir() or (root / UPSTREAM_TESTS).is_dir():
        return "upstream"
    return "skillpack"


@dataclass(frozen=True)
class SourcePaths:
    """Every path the tools need for one source in one workspace."""

    name: str
    root: Path
    layout: Layout

    @property
    def source_dir(self) -> Path:
        """Folder holding the connector module and its documents."""
        if self.layout == "upstream":
            return self.root / UPSTREAM_SOURCES / self.name
        return self.root / "sources" / self.name

    @property
    def tests_dir(self) -> Path:
        """Folder holding the source's test file, utils and cassettes."""
        if self.layout == "upstream":
            return self.root / UPSTREAM_TESTS / self.name
        return self.root / "tests" / "sources" / self.name

    @property
    def connector_module(self) -> Path:
        return self.source_dir / f"{self.name}.py"

    @property
    def api_doc_candidates(self) -> list[Path]:
        """Every name the API doc may have, preferred first."""
        names = [f"{self.name}_api_doc.md", f"{self.name}_source_api_doc.md"]
        return [self.source_dir / n for n in names]

    @property
    def api_doc(self) -> Path:
        """The API doc: the first candidate that exists, else the preferred name."""
        candidates = self.api_doc_candidates
        return next((p for p in candidates if p.is_file()), candidates[0])

    @property
    def connector_spec(self) -> Path:
        return self.source_dir / "connector_spec.yaml"

    @property
    def simulator_spec(self) -> Path:
        """The pack's own simulator description (``simulator_spec.yaml``)."""
        return self.source_dir / "simulator_spec.yaml"

    @property
    def simulator_specs_root(self) -> Path:
        """Folder of ``NAME/endpoints.yaml`` + ``NAME/corpus/`` simulator specs."""
        if self.layout == "upstream":
            return self.root / UPSTREAM_SIM_SPECS
        return self.root / "source_simulator" / "specs"

    @property
    def simulator_endpoints(self) -> Path:
        """``endpoints.yaml`` of this source's simulator spec (the checkout's format)."""
        return self.simulator_specs_root / self.name / "endpoints.yaml"

    @property
    def simulator_corpus(self) -> Path:
        """Folder of ``TABLE.json`` record lists the simulator serves."""
        return self.simulator_specs_root / self.name / "corpus"

    @property
    def has_simulator(self) -> bool:
        """True when either simulator description exists for the source."""
        return self.simulator_spec.is_file() or self.simulator_endpoints.is_file()

    @property
    def generated_sources(self) -> list[Path]:
        """Merged single-file builds (``_generated_NAME_python_source.py``): never reviewed."""
        if not self.source_dir.is_dir():
            return []
        return sorted(self.source_dir.glob("_generated_*_python_source.py"))

    def is_build_artifact(self, path: Path) -> bool:
        """True for files a build writes into the source folder."""
        return bool(re.fullmatch(r"_generated_.*_python_source\.py", path.name))

    @property
    def configs_dir(self) -> Path:
        """Where credentials live: beside the connector (ours) or the tests (upstream)."""
        if self.layout == "upstream":
            return self.tests_dir / "configs"
        return self.source_dir / "configs"

    @property
    def dev_config(self) -> Path:
        return self.configs_dir / "dev_config.json"

    @property
    def table_config(self) -> Path:
        """Per-table options; upstream keeps them beside the tests, so do we."""
        return self.tests_dir / "configs" / "dev_table_config.json"

    @property
    def replay_config(self) -> Path:
        """Stand-in credentials used for offline (simulate) runs."""
        return self.tests_dir / "configs" / "replay_config.json"

    @property
    def test_file(self) -> Path:
        if self.layout == "upstream":
            return self.tests_dir / f"test_{self.name}_lakeflow_connect.py"
        return self.tests_dir / f"test_{self.name}.py"

    @property
    def test_utils(self) -> Path:
        return self.tests_dir / f"{self.name}_test_utils.py"

    @property
    def suite_files(self) -> list[Path]:
        """The checkout's shared suites and write-back base (none in our layout)."""
        if self.layout != "upstream":
            return []
        base = self.root / UPSTREAM_TESTS
        return [base / n for n in (*UPSTREAM_SUITES, UPSTREAM_UTILS_BASE)]

    @property
    def cassettes_dir(self) -> Path:
        return self.tests_dir / "cassettes"

    @property
    def self_review(self) -> Path:
        return self.tests_dir / "SELF_REVIEW.md"

    @property
    def review_judgements(self) -> Path:
        """The agent's verdicts on the review's judgement checks, beside the report."""
        return self.tests_dir / "review_judgements.yaml"

    @property
    def package_pyproject(self) -> Path:
        """Packaging metadata of the source on its own, when it is packaged separately."""
        return self.source_dir / "pyproject.toml"

    @property
    def state_file(self) -> Path:
        """Orchestrator state for ``skillpack create``."""
        return self.root / ".skillpack" / f"{self.name}.state.json"

    @property
    def connector_import(self) -> str:
        """Dotted module name of the connector, importable with ``import_roots`` on sys.path."""
        if self.layout == "upstream":
            return f"{UPSTREAM_PACKAGE}.{self.name}.{self.name}"
        return f"sources.{self.name}.{self.name}"

    @property
    def test_utils_import(self) -> str:
        if self.layout == "upstream":
            return f"tests.unit.sources.{self.name}.{self.name}_test_utils"
        return f"{self.name}_test_utils"

    @property
    def import_roots(self) -> list[Path]:
        """Folders to put on sys.path so the connector and its tests import."""
        if self.layout == "upstream":
            return [self.root / "src", self.root]
        return [self.root, self.tests_dir]


def source_paths(source: str, workspace: str | Path = ".") -> SourcePaths:
    """Paths of ``source`` in ``workspace``, with the layout detected from disk."""
    name = validate_source_name(source)
    root = Path(workspace).expanduser().resolve()
    if root.exists() and not root.is_dir():
        raise InputError(f"workspace `{workspace}` is not a folder", hint="pass a folder path")
    return SourcePaths(name=name, root=root, layout=detect_layout(root))


def from_source_dir(source_dir: str | Path) -> SourcePaths:
    """Paths for a source given its own folder, in either layout."""
    path = Path(source_dir).expanduser().resolve()
    if not path.is_dir():
        raise InputError(
            f"source folder `{source_dir}` does not exist",
            hint="pass the folder that holds the connector module NAME.py",
        )
    name = validate_source_name(path.name)
    parts, upstream = path.parts, UPSTREAM_SOURCES.parts
    if parts[-len(upstream) - 1 : -1] == upstream:
        return SourcePaths(name=name, root=Path(*parts[: -len(upstream) - 1]), layout="upstream")
    if path.parent.name == "sources":
        return SourcePaths(name=name, root=path.parent.parent, layout="skillpack")
    # A loose folder: treat it as the root of a one-source workspace of our layout.
    return SourcePaths(name=name, root=path, layout="skillpack")


def workspace_for_test_file(test_file: Path) -> SourcePaths | None:
    """If ``test_file`` sits in a source's tests folder of a known layout, return its paths."""
    test_file = test_file.resolve()
    tests_dir = test_file.parent
    name = tests_dir.name
    if not SOURCE_NAME_RE.match(name):
        return None
    parts = tests_dir.parts
    if len(parts) >= 4 and parts[-3:-1] == ("unit", "sources") and parts[-4] == "tests":
        root = Path(*parts[:-4])
        if (root / UPSTREAM_SOURCES / name).is_dir():
            return SourcePaths(name=name, root=root, layout="upstream")
    if len(parts) >= 3 and parts[-3:-1] == ("tests", "sources"):
        root = Path(*parts[:-3])
        if (root / "sources" / name).is_dir():
            return SourcePaths(name=name, root=root, layout="skillpack")
    return None


def describe(paths: SourcePaths) -> dict[str, object]:
    """The detected flavour and every path of a source, each with whether it exists."""
    entries: dict[str, Path | list[Path]] = {
        "source_dir": paths.source_dir,
        "connector_module": paths.connector_module,
        "api_doc": paths.api_doc,
        "api_doc_candidates": paths.api_doc_candidates,
        "connector_spec": paths.connector_spec,
        "simulator_spec": paths.simulator_spec,
        "simulator_endpoints": paths.simulator_endpoints,
        "simulator_corpus": paths.simulator_corpus,
        "package_pyproject": paths.package_pyproject,
        "generated_sources": paths.generated_sources,
        "tests_dir": paths.tests_dir,
        "test_file": paths.test_file,
        "test_utils": paths.test_utils,
        "suite_files": paths.suite_files,
        "dev_config": paths.dev_config,
        "table_config": paths.table_config,
        "replay_config": paths.replay_config,
        "cassettes_dir": paths.cassettes_dir,
        "self_review": paths.self_review,
    }

    def one(p: Path) -> dict[str, object]:
        return {"path": str(p), "exists": p.exists()}

    return {
        "name": paths.name,
        "root": str(paths.root),
        "flavour": paths.layout,
        "flavour_description": FLAVOURS[paths.layout],
        "connector_import": paths.connector_import,
        "paths": {
            k: [one(p) for p in v] if isinstance(v, list) else one(v) for k, v in entries.items()
        },
    }


def list_sources(workspace: str | Path = ".") -> list[str]:
    """Names of the sources present in ``workspace`` (folders holding ``NAME/NAME.py``)."""
    root = Path(workspace).expanduser().resolve()
    base = root / UPSTREAM_SOURCES if detect_layout(root) == "upstream" else root / "sources"
    if not base.is_dir():
        return []
    return sorted(
        p.name
        for p in base.iterdir()
        if SOURCE_NAME_RE.match(p.name) and (p / f"{p.name}.py").exists()
    )


def bundled_workspace() -> Path:
    """The example workspace shipped inside the package (example and kinto sources)."""
    return Path(__file__).parent / "examples" / "workspace"
