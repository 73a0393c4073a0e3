"""The input vocabulary every tool shares.

Every tool spells its common inputs the same way, so an agent learns them once:

    source       the source name (``github``)
    workspace    the workspace root, default ``.``; either layout is detected from disk
    source_dir   a source's own folder in any layout, instead of ``source`` + ``workspace``
    path         an API doc (Markdown)
    mode         ``simulate`` | ``record`` | ``live``
    timeout_s    seconds before a step gives up
    version      a version string
    out_dir      where to write results

Compose an input model from the mixins below, e.g.
``class RunSuiteIn(SourceArgs, ModeArgs): ...``, and call ``inp.paths()`` to get the
source's :class:`~skillpack.layout.SourcePaths`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from skillpack.errors import InputError
from skillpack.layout import SourcePaths, from_source_dir, source_paths

# --- the input vocabulary -------------------------------------------------------------------

_SOURCE_NAME = Field(
    description="Source name: lowercase letters, digits and underscores (e.g. `github`).",
    pattern=r"^[a-z][a-z0-9_]*$",
)
SourceName = Annotated[str, _SOURCE_NAME]
#: ``source`` where ``source_dir`` (or, for some tools, a doc) may name the source instead
OptionalSourceName = Annotated[str | None, _SOURCE_NAME]
Workspace = Annotated[
    str,
    Field(description="Workspace root folder; our layout or an upstream checkout is detected."),
]
SourceDir = Annotated[
    str | None,
    Field(description="A source's own folder, in any layout; use instead of source + workspace."),
]
DocPath = Annotated[str, Field(description="Path to an API doc in Markdown.")]
Mode = Annotated[
    Literal["simulate", "record", "live"],
    Field(
        description="simulate: offline against the simulator or cassettes; record: live and "
        "save cassettes; live: against the real source."
    ),
]
TimeoutS = Annotated[float, Field(gt=0, description="Seconds before the step gives up.")]
Version = Annotated[str, Field(description="Version string, e.g. `0.1.0`.")]
OutDir = Annotated[str | None, Field(description="Folder to write results to.")]


class ToolIn(BaseModel):
    """Base of every tool input: unknown fields are refused, so typos surface at once."""

    model_config = ConfigDict(extra="forbid")


class SourceArgs(ToolIn):
    """Names one source: ``source`` (+ ``workspace``) or ``source_dir``."""

    source: OptionalSourceName = None
    workspace: Workspace = "."
    source_dir: SourceDir = None

    @model_validator(mode="after")
    def _one_way_to_name_a_source(self) -> SourceArgs:
        if self.source is None and self.source_dir is None:
            raise ValueError("give `source` (and optionally `workspace`) or `source_dir`")
        return self

    def paths(self) -> SourcePaths:
        """Where this source's files live."""
        return resolve_paths(self.source, self.workspace, self.source_dir)


class ModeArgs(ToolIn):
    """How a step reaches the source, and how long it may take."""

    mode: Mode = "simulate"
    timeout_s: TimeoutS = 300.0


def resolve_paths(
    source: str | None = None, workspace: str = ".", source_dir: str | None = None
) -> SourcePaths:
    """``SourcePaths`` from ``source_dir`` if given, else from ``source`` in ``workspace``."""
    if source_dir is not None:
        paths = from_source_dir(source_dir)
        if source is not None and source != paths.name:
            raise InputError(
                f"`source` `{source}` does not match `source_dir` `{source_dir}`",
                hint="give only one of them",
            )
        return paths
    if source is None:
        raise InputError("no source given", hint="give `source` (and `workspace`) or `source_dir`")
    return source_paths(source, workspace)
