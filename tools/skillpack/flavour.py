"""What generated code looks like in each workspace flavour: imports, extra files, formats.

The implement step has one generator. It writes against the SDK's names (``LakeflowConnect``,
``StructType``, ``RestClient``, ...) and asks the flavour where each name comes from:

``skillpack`` (our workspace)
    everything from ``skillpack.sdk`` / ``skillpack.errors``; the pack is installed beside
    the connector, and packaging carries the SDK parts into the wheel.

``upstream`` (a Lakeflow Community Connectors checkout)
    the connector imports nothing of the pack: ``LakeflowConnect`` from the checkout's
    ``databricks.labs.community_connector.interface``, the schema types from
    ``pyspark.sql.types`` (as the checkout's connectors declare them), and the REST helpers
    (client, paginators, cursor offsets, errors) from a helper module of its own,
    ``NAME_utils.py`` beside it, which the implement step writes from the SDK's code. The
    simulator spec goes where the checkout's harness reads it,
    ``source_simulator/specs/NAME/endpoints.yaml`` plus ``corpus/``, and the test file mixes
    in the checkout's own suites.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from skillpack.layout import UPSTREAM_PACKAGE, UPSTREAM_SOURCES, SourcePaths

UPSTREAM_INTERFACE = "databricks.labs.community_connector.interface"
UPSTREAM_SPECS = Path("src/databricks/labs/community_connector/source_simulator/specs")
SPARK_TYPES = "pyspark.sql.types"
#: SDK modules whose names a generated connector uses
SDK_SCHEMA = "skillpack.sdk.schema"
SDK_CONNECTOR = "skillpack.sdk.connector"


@dataclass(frozen=True)
class Flavour:
    """How generated files are written for one source in one workspace."""

    paths: SourcePaths

    @property
    def name(self) -> str:
        return self.paths.layout

    @property
    def upstream(self) -> bool:
        return self.paths.layout == "upstream"

    # --- imports --------------------------------------------------------------------------

    @property
    def helpers_module(self) -> str | None:
        """Dotted name of the connector's own helper module (upstream), else None."""
        if not self.upstream:
            return None
        return f"{UPSTREAM_PACKAGE}.{self.paths.name}.{self.paths.name}_utils"

    @property
    def helpers_file(self) -> Path | None:
        """The helper module's file (upstream), else None."""
        if not self.upstream:
            return None
        return self.paths.source_dir / f"{self.paths.name}_utils.py"

    def module_for(self, sdk_module: str, name: str) -> str:
        """Where a generated file imports ``name`` (which the SDK has in ``sdk_module``) from."""
        if not self.upstream or not sdk_module.startswith("skillpack."):
            return sdk_module  # the SDK itself, or a module the doc names (a source's client)
        if sdk_module == SDK_SCHEMA:
            return SPARK_TYPES
        if sdk_module == SDK_CONNECTOR and name == "LakeflowConnect":
            return UPSTREAM_INTERFACE
        assert self.helpers_module is not None
        return self.helpers_module

    @property
    def times_as_text(self) -> bool:
        """Whether date and time columns are declared as strings, as most of the checkout's
        connectors declare them (its simulator corpora then hold whatever text the API sends).
        Our own workspace declares them as timestamps and dates."""
        return self.upstream and _checkout_keeps_times_as_text(
            self.paths.root / UPSTREAM_SOURCES, self.paths.name
        )

    def is_first_party(self, module: str) -> bool:
        """Whether ``module`` sorts into the first-party import block of the workspace."""
        top = module.split(".")[0]
        return top == ("databricks" if self.upstream else "skillpack")

    # --- files ----------------------------------------------------------------------------

    @property
    def simulator_spec(self) -> Path:
        """The offline simulator's spec: ours beside the connector, upstream's in specs/."""
        if self.upstream:
            return self.specs_dir / "endpoints.yaml"
        return self.paths.simulator_spec

    @property
    def specs_dir(self) -> Path:
        """Upstream's folder for this source's simulator spec and corpus."""
        return self.paths.root / UPSTREAM_SPECS / self.paths.name

    @property
    def corpus_dir(self) -> Path:
        return self.specs_dir / "corpus"


#: how a connector module declares a date or time column with Spark's types
_TIME_TYPES = ("TimestampType(", "DateType(")


@functools.lru_cache(maxsize=16)
def _checkout_keeps_times_as_text(sources: Path, own: str) -> bool:
    """True when fewer than half the checkout's other connectors use a date or time type."""
    total = timed = 0
    for folder in sorted(sources.iterdir()) if sources.is_dir() else ():
        if not folder.is_dir() or folder.name in (own, "__pycache__"):
            continue
        modules = [p for p in folder.glob("*.py") if p.name != "__init__.py"]
        if not modules:
            continue
        total += 1
        texts = (p.read_text(encoding="utf-8", errors="replace") for p in modules)
        timed += any(t in text for text in texts for t in _TIME_TYPES)
    return total > 0 and 2 * timed < total


def flavour_of(paths: SourcePaths) -> Flavour:
    """The flavour of the workspace ``paths`` lives in."""
    return Flavour(paths)
