"""generate_connector_spec: write sources/NAME/connector_spec.yaml from an API doc."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import jsonschema
import yaml
from pydantic import BaseModel, Field, model_validator

from skillpack.apidoc.models import OAUTH_EXCHANGE_OPTIONS, ApiDoc, Param
from skillpack.apidoc.parse import read_doc
from skillpack.errors import InputError
from skillpack.inputs import OptionalSourceName, OutDir, SourceDir, ToolIn, Workspace, resolve_paths
from skillpack.layout import (
    SourcePaths,
    from_source_dir,
    validate_source_name,
)
from skillpack.limits import contained
from skillpack.registry import tool

SCHEMA_PATH = Path(__file__).resolve().parent / "connector_spec.schema.json"
SPEC_FILE = "connector_spec.yaml"

#: a name a connection can carry as a table option; API syntax such as OData's `$expand` is not
_OPTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_SPEC_TYPES = {"bigint": "integer", "double": "number", "decimal": "number", "boolean": "boolean"}


class SpecParam(BaseModel):
    """A connection parameter or table option in the spec."""

    name: str = Field(description="Parameter name.")
    type: Literal["string", "integer", "number", "boolean"] = Field(description="Value type.")
    required: bool = Field(description="Whether it must be given.")
    secret: bool = Field(False, description="Whether the value is a credential.")
    description: str = Field("", description="What it means.")


class ConnectionSpec(BaseModel):
    """The ``connection`` block."""

    parameters: list[SpecParam] = Field(description="Connection parameters.")


class ConnectorSpec(BaseModel):
    """The content of ``connector_spec.yaml``."""

    source_name: str = Field(description="Source name.")
    display_name: str = Field("", description="Human-readable name of the source.")
    connection: ConnectionSpec = Field(description="Connection parameters.")
    external_options_allowlist: str = Field(
        description="Comma-separated names of every table option the connector accepts."
    )
    table_options: dict[str, list[SpecParam]] = Field(
        default_factory=dict, description="Options each table accepts, by table name."
    )


class GenerateConnectorSpecIn(ToolIn):
    """Input of ``generate_connector_spec``: a doc (``path`` or ``api_doc``) and where to write.

    Without ``path`` or ``api_doc`` the source's own API doc is read. The file goes to
    ``out_dir`` if given, else to the source's folder (from ``source_dir``, ``source`` +
    ``workspace``, the doc's own folder when it is named after the source, or
    ``workspace/sources/NAME``).
    """

    path: Annotated[str | None, Field(description="Path to an API doc in Markdown.")] = None
    api_doc: ApiDoc | None = Field(
        None, description="An already parsed doc (parse_api_doc's output)."
    )
    source: OptionalSourceName = None
    workspace: Workspace = "."
    source_dir: SourceDir = None
    out_dir: OutDir = None

    @model_validator(mode="after")
    def _something_to_read(self) -> GenerateConnectorSpecIn:
        if (
            self.path is None
            and self.api_doc is None
            and self.source is None
            and (self.source_dir is None)
        ):
            raise ValueError("give `path` or `api_doc` (or a `source` whose doc to read)")
        if self.path is not None and self.api_doc is not None:
            raise ValueError("give `path` or `api_doc`, not both")
        return self


class GenerateConnectorSpecOut(BaseModel):
    """The spec that was written and where; ``changed`` is false when the file was current."""

    GATE: ClassVar[str] = "spec_path"

    spec_path: str = Field(description="Path of the written connector_spec.yaml.")
    changed: bool = Field(description="Whether the file's content changed.")
    spec: ConnectorSpec = Field(description="The spec's content.")


CHECKOUT_SCHEMA_PATH = SCHEMA_PATH.with_name("connector_spec.checkout.schema.json")


@cache
def spec_schema(layout: str = "skillpack") -> dict[str, Any]:
    """The JSON Schema a connector_spec.yaml of ``layout`` is validated against.

    A Lakeflow Community Connectors checkout (``upstream``) has its own, looser format.
    """
    path = CHECKOUT_SCHEMA_PATH if layout == "upstream" else SCHEMA_PATH
    return json.loads(path.read_text(encoding="utf-8"))


def _spec_param(p: Param, *, required: bool | None = None) -> SpecParam:
    return SpecParam(
        name=p.name,
        type=_SPEC_TYPES.get(p.type, "string"),  # type: ignore[arg-type]
        required=p.required if required is None else required,
        secret=p.secret,
        description=p.description,
    )


def build_spec(doc: ApiDoc, source: str) -> ConnectorSpec:
    """The spec for ``doc``: auth and connection parameters, and every table's options."""
    params: dict[str, SpecParam] = {}
    methods = doc.auth
    for m in methods:
        for p in m.fields:
            if p.name in params:
                continue
            # With several auth methods, a credential one of them lacks cannot be required.
            everywhere = all(any(q.name == p.name for q in other.fields) for other in methods)
            params[p.name] = _spec_param(p, required=p.required and everywhere)
    oauth = [m for m in methods if m.kind.startswith("oauth2")]
    if oauth:
        # The generated connector takes a token the connection already holds in place of
        # running the exchange, so the exchange's credentials are needed only without one.
        exchange = {f.name for m in oauth for f in m.fields if f.name in OAUTH_EXCHANGE_OPTIONS}
        for name in exchange:
            params[name] = params[name].model_copy(update={"required": False})
        params.setdefault(
            "access_token",
            SpecParam(
                name="access_token",
                type="string",
                required=False,
                secret=True,
                description="An OAuth access token the connection already holds; when "
                "given, the connector sends it and runs no token exchange.",
            ),
        )
    for p in doc.connection_params:
        params.setdefault(p.name, _spec_param(p))
    table_options = {
        t.name: [_spec_param(o) for o in t.options if _OPTION_NAME.match(o.name)]
        for t in doc.tables
    }
    table_options = {name: opts for name, opts in table_options.items() if opts}
    allow = sorted({o.name for opts in table_options.values() for o in opts})
    return ConnectorSpec(
        source_name=source,
        display_name=display_name(doc.title, source),
        connection=ConnectionSpec(
            parameters=[p for p in params.values() if _OPTION_NAME.match(p.name)]
        ),
        external_options_allowlist=",".join(allow),
        table_options=table_options,
    )


def render(spec: ConnectorSpec, layout: str = "skillpack") -> str:
    """YAML text of ``spec``, after checking it against the shipped JSON Schema.

    In a Lakeflow Community Connectors checkout (``upstream``) the file takes that checkout's
    format: no ``source_name`` (the folder names the source), no ``table_options``, and
    ``secret`` stated only when true.
    """
    data = spec.model_dump(mode="json", exclude_defaults=False)
    if not data["table_options"] or layout == "upstream":
        del data["table_options"]
    if layout == "upstream":
        del data["source_name"]
    jsonschema.validate(data, spec_schema(layout))
    header = (
        "# Connection parameters and table options of this source.\n"
        "# Generated from the API doc by `skillpack tool generate_connector_spec`; edit the doc\n"
        "# and run it again rather than editing this file.\n"
    )
    if layout == "upstream":
        for param in data["connection"]["parameters"]:
            if not param.get("secret"):
                param.pop("secret", None)
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _target(inp: GenerateConnectorSpecIn, doc: ApiDoc, source: str) -> Path:
    if inp.out_dir is not None:
        named = inp.source_dir is not None or inp.source is not None
        if named or "workspace" in inp.model_fields_set:
            # the spec belongs to a workspace: never write outside it
            root = (
                resolve_paths(inp.source, inp.workspace, inp.source_dir).root
                if named
                else (Path(inp.workspace).expanduser().resolve())
            )
            return contained(inp.out_dir, root, "out_dir") / SPEC_FILE
        return Path(inp.out_dir).expanduser() / SPEC_FILE
    if inp.source_dir is not None or inp.source is not None:
        return resolve_paths(inp.source, inp.workspace, inp.source_dir).connector_spec
    if doc.path is not None:
        folder = Path(doc.path).expanduser().resolve().parent
        if folder.name == source:
            return from_source_dir(folder).connector_spec
    return resolve_paths(source, inp.workspace).connector_spec


def _layout(inp: GenerateConnectorSpecIn, source: str) -> str:
    """The flavour of the workspace the spec belongs to (its format follows it)."""
    if inp.source_dir is not None:
        return from_source_dir(inp.source_dir).layout
    return resolve_paths(source, inp.workspace).layout


def _doc(inp: GenerateConnectorSpecIn) -> ApiDoc:
    if inp.api_doc is not None:
        return inp.api_doc
    if inp.path is not None:
        return read_doc(inp.path)
    paths: SourcePaths = resolve_paths(inp.source, inp.workspace, inp.source_dir)
    return read_doc(str(paths.api_doc))


#: words a doc's title adds to the source's name ("GitHub REST API Documentation")
_TITLE_NOISE = re.compile(
    r"(?i)(?:[\s:\-\u2013\u2014]+(?:rest|http|web|source|api|apis|documentation|docs?|"
    r"reference|connector|overview|guide|specification|spec))+\s*$"
)


def display_name(title: str, source: str) -> str:
    """The source's name as people write it: the doc's title without "API documentation"
    and the like, else the source name in words."""
    name = _TITLE_NOISE.sub("", " " + title.strip()).strip(" :-")
    return name or source.replace("_", " ").title()


@tool
def generate_connector_spec(inp: GenerateConnectorSpecIn) -> GenerateConnectorSpecOut:
    """Write sources/NAME/connector_spec.yaml (connection parameters, table options) from a doc.

    The spec is validated against the JSON Schema shipped in the package; running it again on
    the same doc leaves the file untouched (``changed: false``).
    """
    doc = _doc(inp)
    source = inp.source or doc.source_name
    if inp.source is None and inp.source_dir is not None:
        source = from_source_dir(inp.source_dir).name
    if not source:
        raise InputError(
            "the doc states no source name",
            hint="add `- **Source name:** `NAME`` to its overview, or pass `source`",
            code="no-source-name",
        )
    source = validate_source_name(source)
    spec = build_spec(doc, source)
    target = _target(inp, doc, source)
    try:
        text = render(spec, _layout(inp, source))
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "the top level"
        raise InputError(
            f"the doc yields a spec that breaks the schema at `{where}` ({exc.validator})",
            hint="fix the parameter or option names in the API doc's tables",
            code="bad-connector-spec",
        ) from None
    changed = not (target.is_file() and target.read_text(encoding="utf-8") == text)
    if changed:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return GenerateConnectorSpecOut(spec_path=str(target), changed=changed, spec=spec)
