"""A source's credentials: its connection parameters (from the spec) and its dev config.

Shared by the ``write_credentials`` tool and the browser form of ``skillpack auth``, so both
validate the same way and write the same file::

    spec = load_spec(paths)                       # sources/NAME/connector_spec.yaml
    values = coerce_values(spec, {"api_key": "...", "page_size": 50})
    result = save_credentials(paths, spec, values)   # 0600, merged, atomic

Values are stored as strings, as a connector receives its options in Lakeflow. Error
messages name fields, never values.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import jsonschema
import yaml
from pydantic import BaseModel, Field, SecretStr

from skillpack.apidoc.spec import spec_schema
from skillpack.errors import ConfigError, InputError, known_values
from skillpack.layout import SourcePaths
from skillpack.sdk.redaction import is_secret_key

ParamType = Literal["string", "integer", "number", "boolean"]

_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


class CredentialField(BaseModel):
    """One connection parameter a user fills in."""

    name: str = Field(description="Parameter name, the key in the dev config.")
    type: ParamType = Field("string", description="Value type.")
    required: bool = Field(False, description="Whether the connector needs it.")
    secret: bool = Field(False, description="Whether the value is a credential to keep hidden.")
    description: str = Field("", description="What it means, shown beside the input.")
    default: str | None = Field(None, description="Value used when none is given, as text.")


class OAuth2Flow(BaseModel):
    """The provider's OAuth 2 authorization-code endpoints and what the flow fills in."""

    authorize_url: str = Field(description="Where the browser is sent to sign in and consent.")
    token_url: str = Field(description="Where the authorization code is exchanged for tokens.")
    scopes: list[str] = Field(default_factory=list, description="Scopes to ask for.")
    client_id_param: str = Field("client_id", description="Parameter holding the client id.")
    client_secret_param: str = Field(
        "client_secret", description="Parameter holding the client secret."
    )
    refresh_token_param: str = Field(
        "refresh_token", description="Parameter the refresh token is stored in."
    )
    authorize_params: dict[str, str] = Field(
        default_factory=dict, description="Extra query parameters of the authorize URL."
    )


class CredentialSpec(BaseModel):
    """What ``connector_spec.yaml`` says about a source's connection parameters."""

    source: str = Field(description="Source name.")
    display_name: str = Field("", description="Human-readable name of the source.")
    fields: list[CredentialField] = Field(description="Connection parameters, in spec order.")
    oauth2: OAuth2Flow | None = Field(None, description="OAuth 2 flow, when the source has one.")
    required_table_options: dict[str, list[str]] = Field(
        default_factory=dict, description="Required table options, by table name."
    )

    def field(self, name: str) -> CredentialField | None:
        """The parameter called ``name``, if the spec has one."""
        return next((f for f in self.fields if f.name == name), None)

    @property
    def names(self) -> list[str]:
        """Every parameter name."""
        return [f.name for f in self.fields]

    @property
    def secret_names(self) -> set[str]:
        """Parameters whose values must stay hidden: marked secret, or named like a secret."""
        names = {f.name for f in self.fields if f.secret or is_secret_key(f.name)}
        if self.oauth2 is not None:
            names |= {self.oauth2.client_secret_param, self.oauth2.refresh_token_param}
        return names


class CredentialsWritten(BaseModel):
    """What was written to the dev config: field names only, never values."""

    path: str = Field(description="The dev config file written (mode 0600).")
    fields_set: list[str] = Field(description="Parameters given in this call, sorted.")
    secret_fields_set: list[str] = Field(description="Those of them that are secret.")
    missing_required: list[str] = Field(
        description="Required parameters still missing from the file (and without a default)."
    )
    complete: bool = Field(description="True when no required parameter is missing.")


# --- the spec --------------------------------------------------------------------------------


def load_spec(paths: SourcePaths) -> CredentialSpec:
    """Read and check ``connector_spec.yaml`` of ``paths``; ``InputError`` saying how to fix it."""
    path = paths.connector_spec
    regenerate = (
        f"generate it: skillpack tool generate_connector_spec --input "
        f'\'{{"source": "{paths.name}", "workspace": "{paths.root}"}}\''
    )
    if not path.is_file():
        raise InputError(f"`{path}` does not exist", hint=regenerate, code="no-connector-spec")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise InputError(
            f"`{path}` is not valid YAML{where}", hint=regenerate, code="bad-connector-spec"
        ) from None
    try:
        jsonschema.validate(data, spec_schema())
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "the top level"
        raise InputError(
            f"`{path}` does not match the spec schema at `{where}`: {exc.message[:200]}",
            hint=regenerate,
            code="bad-connector-spec",
        ) from None
    return _spec_from_data(data, path.parent.name)


def _spec_from_data(data: dict[str, Any], folder: str = "") -> CredentialSpec:
    """The spec's fields; an upstream spec names no source, so its folder does."""
    connection = data["connection"]
    fields = [
        CredentialField(
            name=p["name"],
            type=p["type"],
            required=p["required"],
            secret=p.get("secret", False),
            description=p.get("description", ""),
            default=_default_text(p.get("default")),
        )
        for p in connection["parameters"]
    ]
    oauth = connection.get("oauth2")
    required_options = {
        table: [o["name"] for o in options if o.get("required")]
        for table, options in (data.get("table_options") or {}).items()
    }
    return CredentialSpec(
        source=data.get("source_name") or folder,
        display_name=data.get("display_name", ""),
        fields=fields,
        oauth2=OAuth2Flow(**oauth) if oauth is not None else None,
        required_table_options={t: names for t, names in required_options.items() if names},
    )


def _default_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- values ----------------------------------------------------------------------------------


def coerce_values(spec: CredentialSpec, raw: Mapping[str, Any]) -> dict[str, str]:
    """``raw`` checked against the spec and turned into the strings the config stores.

    ``None`` and empty strings mean "not given" and are left out. Unknown names and values
    of the wrong type raise ``InputError`` naming every bad field (never a value).
    """
    unknown = sorted(set(raw) - set(spec.names))
    if unknown:
        raise InputError(
            known_values("connection parameter", unknown[0], spec.names)
            + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""),
            hint=f"use the names in connector_spec.yaml of `{spec.source}`",
            code="unknown-parameter",
        )
    out: dict[str, str] = {}
    problems: list[str] = []
    for name, value in raw.items():
        field = spec.field(name)
        assert field is not None
        value = value.get_secret_value() if isinstance(value, SecretStr) else value
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        text = _coerce(field.type, value)
        if text is None:
            problems.append(f"`{name}` must be {_EXPECTED[field.type]}")
        else:
            out[name] = text
    if problems:
        raise InputError(
            "; ".join(problems),
            hint="give each parameter a value of the type connector_spec.yaml states",
            code="bad-parameter-value",
        )
    return out


_EXPECTED = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
}


def _coerce(kind: ParamType, value: Any) -> str | None:
    """The stored text of ``value`` as a ``kind``, or ``None`` when it is not one."""
    if isinstance(value, (dict, list, tuple, set)):
        return None
    if kind == "string":
        return value if isinstance(value, str) else None if isinstance(value, bool) else str(value)
    if kind == "boolean":
        if isinstance(value, bool):
            return "true" if value else "false"
        text = str(value).strip().lower()
        return "true" if text in _TRUE else "false" if text in _FALSE else None
    if isinstance(value, bool):
        return None
    text = value.strip() if isinstance(value, str) else value
    if kind == "integer":
        if isinstance(text, float):
            return None
        try:
            return str(int(text))
        except (TypeError, ValueError):
            return None
    try:
        number = float(text)
    except (TypeError, ValueError):
        return None
    return str(text) if math.isfinite(number) else None


def missing_required(spec: CredentialSpec, config: Mapping[str, Any]) -> list[str]:
    """Required parameters absent (or empty) in ``config`` that have no default."""
    return [
        f.name
        for f in spec.fields
        if f.required and f.default is None and config.get(f.name) in (None, "")
    ]


# --- the dev config --------------------------------------------------------------------------


def read_dev_config(path: Path) -> dict[str, Any]:
    """The dev config's JSON object (``{}`` when the file is absent); never echoes content."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"dev config `{path}` is not valid JSON (line {exc.lineno}, column {exc.colno})",
            hint="fix the file by hand, or pass merge=false to replace it",
            code="bad-dev-config",
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"dev config `{path}` must hold a JSON object",
            hint="fix the file by hand, or pass merge=false to replace it",
            code="bad-dev-config",
        )
    return data


def write_dev_config(
    path: Path, values: Mapping[str, Any], *, merge: bool = True
) -> dict[str, Any]:
    """Write ``values`` to ``path`` (mode 0600, atomically), over what is there if ``merge``.

    The file is written to a temporary file created 0600 in the same folder and moved into
    place, so a crash never leaves a half-written or world-readable config. Returns the
    content written.
    """
    content = {**read_dev_config(path), **values} if merge else dict(values)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        # The umask can only narrow 0600, but an inherited ACL-ish default must not widen it.
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(content, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return content


def save_credentials(
    paths: SourcePaths,
    spec: CredentialSpec,
    values: Mapping[str, str],
    *,
    merge: bool = True,
) -> CredentialsWritten:
    """Write already coerced ``values`` to the source's dev config and say what was set."""
    path = paths.dev_config
    if values or not merge:
        content = write_dev_config(path, values, merge=merge)
    else:
        # Nothing new: report on the file as it is, without creating an empty one.
        content = read_dev_config(path)
    missing = missing_required(spec, content)
    secret = spec.secret_names
    return CredentialsWritten(
        path=str(path),
        fields_set=sorted(values),
        secret_fields_set=sorted(n for n in values if n in secret),
        missing_required=missing,
        complete=not missing,
    )
