"""write_credentials: store a source's credentials in its dev config, without a prompt."""

from __future__ import annotations

import os
from typing import Any, ClassVar

from pydantic import ConfigDict, Field, SecretStr, field_validator

from skillpack.auth._credentials import (
    CredentialsWritten,
    coerce_values,
    load_spec,
    save_credentials,
)
from skillpack.errors import InputError
from skillpack.inputs import SourceArgs
from skillpack.registry import tool


class WriteCredentialsIn(SourceArgs):
    """Input of ``write_credentials``: the values, given directly or by environment variable.

    Values are checked against the source's connector_spec.yaml (names and types); secret
    ones end up in the file and nowhere else.
    """

    # Values may be secrets: keep them out of reprs and of validation error messages.
    model_config = ConfigDict(hide_input_in_errors=True)

    values: dict[str, Any] = Field(
        default_factory=dict,
        repr=False,
        description='Parameter values by name (e.g. {"api_key": "..."}); never echoed.',
        json_schema_extra={
            "additionalProperties": {"type": ["string", "number", "boolean", "null"]}
        },
    )
    from_env: dict[str, str] = Field(
        default_factory=dict,
        description="Parameters read from environment variables: parameter -> variable name, "
        'e.g. {"api_key": "MY_API_KEY"}. Wins over `values` for the same parameter.',
    )
    merge: bool = Field(
        True,
        description="Keep the other keys already in the dev config (false replaces the file).",
    )

    @field_validator("values")
    @classmethod
    def _scalars_as_secrets(cls, values: dict[str, Any]) -> dict[str, Any]:
        # Strings become SecretStr at once; the message names the field, never the value.
        out: dict[str, Any] = {}
        for name, value in values.items():
            if isinstance(value, str):
                out[name] = SecretStr(value)
            elif value is None or isinstance(value, (bool, int, float, SecretStr)):
                out[name] = value
            else:
                raise ValueError(f"`{name}` must be a string, number, boolean or null")
        return out


class WriteCredentialsOut(CredentialsWritten):
    """Where the credentials went and which fields were set; never a value."""

    GATE: ClassVar[str] = "complete"


def _from_env(names: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    unset = [f"`{var}` (for `{field}`)" for field, var in names.items() if not os.environ.get(var)]
    if unset:
        raise InputError(
            f"environment variable(s) {', '.join(unset)} not set or empty",
            hint="export them in the environment that runs the tool, or pass `values`",
            code="env-not-set",
        )
    for field, var in names.items():
        out[field] = os.environ[var]
    return out


@tool
def write_credentials(inp: WriteCredentialsIn) -> WriteCredentialsOut:
    """Write connection parameters to the source's dev config (0600), checked against its spec.

    Non-interactive: for agents and CI. Values come from `values` or from environment
    variables named in `from_env`; they are merged into configs/dev_config.json (the file the
    test suites read). The output lists which fields were set and which required ones are
    still missing (`complete` is the gate); it never contains a value. A person at a
    terminal can use `skillpack auth NAME` instead, a browser form built from the same spec.
    """
    paths = inp.paths()
    spec = load_spec(paths)
    raw: dict[str, Any] = {**inp.values, **_from_env(inp.from_env)}
    if not raw and not inp.merge:
        raise InputError(
            "nothing to write: no `values` or `from_env` given and `merge` is false",
            hint="give the parameters to write; merge=false replaces the whole file",
            code="nothing-to-write",
        )
    values = coerce_values(spec, raw)
    written = save_credentials(paths, spec, values, merge=inp.merge)
    return WriteCredentialsOut(**written.model_dump())
