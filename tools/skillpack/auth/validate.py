"""validate_auth: try the credentials with the connector itself and say what is wrong, if anything.

The connector runs in a child process (``_auth_probe.py``) so a hanging connector cannot hang
the tool: after ``timeout_s`` the child's whole process group is killed.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from skillpack.auth._credentials import load_spec, read_dev_config
from skillpack.errors import ConfigError, InputError
from skillpack.inputs import SourceArgs, TimeoutS
from skillpack.layout import SourcePaths
from skillpack.registry import tool
from skillpack.sdk.redaction import RedactingFilter, is_secret_key, secret_values

PROBE = Path(__file__).resolve().parent / "_probe.py"
#: seconds the probe may spend opening a TCP connection to each configured URL
CONNECT_TIMEOUT_S = 5.0
_DETAIL_LIMIT = 600
_TABLES_LIMIT = 50

Verdict = Literal["ok", "bad_credentials", "not_permitted", "unreachable", "misconfigured", "error"]
Stage = Literal["import", "init", "connect", "list_tables", "read", "done"]
_STAGES = ("import", "init", "connect", "list_tables", "read", "done")

#: SDK error codes that mean the source was not (fully) reached; see skillpack.sdk.http
_UNREACHABLE_CODES = {"unreachable", "timeout", "tls", "deadline", "truncated"}
_NETWORK_TYPES = {"ConnectionError", "Timeout", "TimeoutError", "gaierror", "URLError"}
_CONFIG_TYPES = {"ConfigError", "InputError"}
_INIT_TYPES = {"KeyError", "TypeError", "ValueError"}

_FIXES: dict[str, str] = {
    "ok": "",
    "bad_credentials": "the source rejected the credentials: ask the user to run "
    "`skillpack auth {name}` (or call write_credentials) with a valid, unexpired credential, "
    "then run validate_auth again",
    "not_permitted": "the credentials are valid but lack permission: grant the account or "
    "token the role or scope the API doc names for reading, then run validate_auth again",
    "unreachable": "the source could not be reached: check base_url (scheme, host, port), "
    "the network, VPN or proxy, and that the service is up; raise timeout_s if it is only slow",
    "misconfigured": "a connection parameter is missing or wrong: fix it with "
    "write_credentials (the names are in connector_spec.yaml), then run validate_auth again",
    "error": "the connector failed for another reason: read `detail`, fix the connector "
    "(or retry later if the source had a server error)",
}


class ValidateAuthIn(SourceArgs):
    """Input of ``validate_auth``: which source, and optionally the config to try."""

    # A config holds secrets: keep it out of reprs and of validation error messages.
    model_config = ConfigDict(hide_input_in_errors=True)

    config: dict[str, Any] | None = Field(
        None,
        repr=False,
        description="Connection options to try; default: the source's dev config. Never echoed.",
    )
    table: str | None = Field(
        None, description="Table to read one record from; default: the first table listed."
    )
    read_sample: bool = Field(
        True,
        description="After list_tables, read one record: many sources check credentials "
        "only when data is read.",
    )
    connector_class: str | None = Field(
        None, description="Class in the connector module, when it defines several connectors."
    )
    timeout_s: TimeoutS = 30.0


class ValidateAuthOut(BaseModel):
    """The verdict on the credentials, with what to do about it; never a secret."""

    GATE: ClassVar[str] = "ok"

    ok: bool = Field(description="The gate: true when the connector listed tables (and read).")
    verdict: Verdict = Field(
        description="ok, bad_credentials (401), not_permitted (403), unreachable, "
        "misconfigured, or error (anything else: read `detail`)."
    )
    stage: Stage = Field(
        description="The last step reached: import, init, connect, list_tables, read, done."
    )
    detail: str = Field(description="What happened, with every secret masked.")
    fix: str = Field(description="What to do next; empty when ok.")
    config_from: str = Field(description="Where the config came from: a file path or `input`.")
    tables: list[str] = Field(
        default_factory=list, description=f"Tables listed (at most {_TABLES_LIMIT})."
    )


def _config(inp: ValidateAuthIn, paths: SourcePaths) -> tuple[dict[str, Any], str]:
    if inp.config is not None:
        return inp.config, "input"
    path = paths.dev_config
    if not path.is_file():
        raise ConfigError(
            f"no credentials yet: `{path}` does not exist",
            hint=f"ask the user to run `skillpack auth {paths.name}`, or call "
            "write_credentials; or pass `config`",
            code="no-dev-config",
        )
    return read_dev_config(path), str(path)


def _secrets(paths: SourcePaths, config: dict[str, Any]) -> tuple[set[str], list[str]]:
    """Secret values to mask, and tables the sample read must skip (required options)."""
    names = {k for k in config if is_secret_key(k)}
    skip: list[str] = []
    if paths.connector_spec.is_file():
        # The spec only sharpens redaction and the table choice; a broken one is not fatal.
        with contextlib.suppress(InputError):
            spec = load_spec(paths)
            names |= spec.secret_names
            skip = sorted(spec.required_table_options)
    # Values under 4 characters are left out by secret_values: masking them garbles text.
    return secret_values(config, names), skip


def _plain(value: Any) -> Any:
    return value.get_secret_value() if isinstance(value, SecretStr) else str(value)


def _run_probe(job: dict[str, Any], cwd: Path, timeout: float) -> tuple[list[dict], str, bool]:
    """The child's protocol lines, its stderr, and whether it was stopped for taking too long."""
    process = subprocess.Popen(
        [sys.executable, str(PROBE)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd if cwd.is_dir() else None,
        text=True,
        # Its own process group, so a timeout can stop it and anything it started.
        start_new_session=True,
    )
    timed_out = False
    try:
        out, err = process.communicate(json.dumps(job, default=_plain), timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
    lines: list[dict] = []
    for line in out.splitlines():
        with contextlib.suppress(ValueError):
            obj = json.loads(line)
            if isinstance(obj, dict):
                lines.append(obj)
    return lines, err, timed_out


def _classify(stage: str, error: dict[str, Any]) -> Verdict:
    """The verdict for an error the probe reported at ``stage``."""
    types = set(error.get("types") or ())
    status, code = error.get("status"), error.get("code")
    if stage == "import":
        return "error"
    if status == 403 or code == "forbidden":
        return "not_permitted"
    if status == 401 or "AuthError" in types:
        return "bad_credentials"
    if code in _UNREACHABLE_CODES or types & _NETWORK_TYPES:
        return "unreachable"
    if types & _CONFIG_TYPES or (stage == "init" and types & _INIT_TYPES):
        return "misconfigured"
    if status == 404 or code == "not-found":
        # A wrong base_url path or object id in the config, rather than a broken connector.
        return "misconfigured"
    return "error"


def _fix(verdict: Verdict, name: str, hint: str = "") -> str:
    fix = _FIXES[verdict].format(name=name)
    return f"{fix}; the connector says: {hint}" if hint and verdict != "ok" else fix


@tool
def validate_auth(inp: ValidateAuthIn) -> ValidateAuthOut:
    """Check a source's credentials: build the connector, list tables, read one record.

    Uses the dev config (or `config`), with a hard `timeout_s`. The verdict is ok,
    bad_credentials (401), not_permitted (403), unreachable, misconfigured or error, each
    with a `fix`; `ok` is the gate. Run it after write_credentials or `skillpack auth NAME`.
    No secret appears in the output, even when the source echoes one in an error.
    """
    paths = inp.paths()
    if not paths.connector_module.is_file():
        raise InputError(
            f"connector module `{paths.connector_module}` does not exist",
            hint="implement the connector first (sources/NAME/NAME.py), or check source/workspace",
            code="no-connector",
        )
    config, config_from = _config(inp, paths)
    found, skip = _secrets(paths, config)
    scrub = RedactingFilter(found).scrub
    job = {
        "module": paths.connector_import,
        "class": inp.connector_class,
        "import_roots": [str(p) for p in paths.import_roots],
        "config": config,
        "table": inp.table,
        "read_sample": inp.read_sample,
        "skip_tables": skip,
        "secrets": sorted(found),
        "connect_timeout_s": min(CONNECT_TIMEOUT_S, inp.timeout_s),
    }
    lines, stderr, timed_out = _run_probe(job, paths.root, inp.timeout_s)
    stages = [obj["stage"] for obj in lines if obj.get("stage") in _STAGES]
    result = next((obj["result"] for obj in lines if isinstance(obj.get("result"), dict)), None)

    def out(verdict: Verdict, stage: str, detail: str, hint: str = "") -> ValidateAuthOut:
        tables = [scrub(t) for t in (result or {}).get("tables", [])][:_TABLES_LIMIT]
        return ValidateAuthOut(
            ok=verdict == "ok",
            verdict=verdict,
            stage=stage if stage in _STAGES else "import",  # type: ignore[arg-type]
            detail=scrub(detail)[:_DETAIL_LIMIT],
            fix=scrub(_fix(verdict, paths.name, hint)),
            config_from=config_from,
            tables=tables,
        )

    if timed_out:
        stage = stages[-1] if stages else "import"
        return out(
            "unreachable",
            stage,
            f"`{stage}` did not finish within {inp.timeout_s:g}s; the probe was stopped",
        )
    if result is None:
        tail = " ".join(stderr.strip().splitlines()[-3:]) or "no output"
        return out("error", stages[-1] if stages else "import", f"the probe crashed: {tail}")
    error = result.get("error")
    if not error:
        read = result.get("table")
        detail = f"listed {len(result.get('tables', []))} table(s)"
        return out("ok", "done", detail + (f" and read from `{read}`" if read else ""))
    stage = result.get("stage", "import")
    verdict = _classify(stage, error)
    kind = (error.get("types") or ["Exception"])[0]
    return out(
        verdict, stage, f"{stage}: {kind}: {error.get('message', '')}", error.get("hint", "")
    )
