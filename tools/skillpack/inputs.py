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

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from skillpack.errors import InputError
from skillpack.layout import (
    MAX_SOURCE_NAME,
    SourcePaths,
    echo,
    from_source_dir,
    source_paths,
    validate_source_name,
)

#: longest path accepted in a tool input (Linux PATH_MAX); longer ones are refused unread
MAX_PATH_CHARS = 4096
#: largest number of seconds any step may be given (a day)
MAX_TIMEOUT_S = 86_400.0


def _source_name(value: Any) -> Any:
    # The layout's validator, so Python, the CLI and MCP refuse a name with the same words.
    return validate_source_name(value) if isinstance(value, str) else value


def _path_text(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_PATH_CHARS:
        raise InputError(
            f"path `{echo(value, 60)}` is longer than {MAX_PATH_CHARS} characters",
            hint="pass a shorter path (a relative path, or a folder nearer the root)",
            code="path-too-long",
        )
    if isinstance(value, str) and "\x00" in value:
        raise InputError(
            f"path `{echo(value, 60)}` contains a NUL character", hint="pass a plain path"
        )
    return value


# --- the input vocabulary -------------------------------------------------------------------

_SOURCE_NAME = Field(
    description="Source name: lowercase letters, digits and underscores (e.g. `github`); "
    "not a Python keyword or standard-library module.",
    pattern=r"^[a-z][a-z0-9_]*$",
    max_length=MAX_SOURCE_NAME,
)
SourceName = Annotated[str, _SOURCE_NAME, BeforeValidator(_source_name)]
#: ``source`` where ``source_dir`` (or, for some tools, a doc) may name the source instead
OptionalSourceName = Annotated[str | None, _SOURCE_NAME, BeforeValidator(_source_name)]
Workspace = Annotated[
    str,
    Field(description="Workspace root folder; our layout or an upstream checkout is detected."),
    BeforeValidator(_path_text),
]
SourceDir = Annotated[
    str | None,
    Field(description="A source's own folder, in any layout; use instead of source + workspace."),
    BeforeValidator(_path_text),
]
DocPath = Annotated[
    str, Field(description="Path to an API doc in Markdown."), BeforeValidator(_path_text)
]
Mode = Annotated[
    Literal["simulate", "record", "live"],
    Field(
        description="simulate: offline against the simulator or cassettes; record: live and "
        "save cassettes; live: against the real source."
    ),
]
TimeoutS = Annotated[
    float, Field(gt=0, le=MAX_TIMEOUT_S, description="Seconds before the step gives up.")
]
Version = Annotated[str, Field(description="Version string, e.g. `0.1.0`.")]
OutDir = Annotated[
    str | None,
    Field(description="Folder to write results to, inside the workspace."),
    BeforeValidator(_path_text),
]

_BOOL_TYPES = (bool, bool | None)


class ToolIn(BaseModel):
    """Base of every tool input: unknown fields are refused, so typos surface at once.

    Booleans are strict (``"yes"`` or ``1`` is refused, not read as true) and numbers must
    be finite: a tool boundary takes what the caller meant or says why not.
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _strict_values(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        for name, info in cls.model_fields.items():
            if name not in data:
                continue
            value = data[name]
            if info.annotation in _BOOL_TYPES and not isinstance(value, bool | None):
                raise InputError(
                    f"`{name}` must be true or false, not `{echo(value, 40)}`",
                    hint="use a JSON boolean: true or false (no quotes)",
                    code="bad-boolean",
                )
            if isinstance(value, float) and not math.isfinite(value):
                raise InputError(
                    f"`{name}` must be a finite number, not `{value}`", hint="pass a number"
                )
        return data


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
