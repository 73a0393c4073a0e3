"""How the suites report: one failure per test listing every problem, each with its cause."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skillpack.testing._reads import SuiteFailure
from skillpack.testing.causes import CAUSES, tagged


def fail_all(errors: list[str]) -> None:
    """Fail the test with every collected error; the first line keeps its cause code."""
    if errors:
        pytest.fail("\n\n".join(errors), pytrace=False)


def json_offset(table: str, method: str, offset: Any) -> None:
    """Offsets are stored as JSON by the pipeline, so they must serialise."""
    try:
        json.dumps(offset)
    except (TypeError, ValueError) as exc:
        raise SuiteFailure(
            "read-shape",
            f"table `{table}`: {method}() returned an offset that is not JSON ({exc}); use "
            "strings, numbers, booleans and None only",
        ) from None


def implements_deletes(connector: Any) -> bool:
    """True when the connector overrides read_table_deletes (the base method raises)."""
    method = getattr(type(connector), "read_table_deletes", None)
    if method is None:
        return False
    from skillpack.sdk.connector import LakeflowConnect

    return method is not LakeflowConnect.read_table_deletes


def describe_exception(table: str, exc: Exception) -> str:
    """A tagged line for an exception a connector raised, naming where it arose.

    The cause is the error's own code when the suite knows it (``pagination-loop`` from
    the SDK), ``auth`` for 401/403, else ``connector-error``.
    """
    status = getattr(exc, "status", None) or getattr(
        getattr(exc, "response", None), "status_code", 0
    )
    code = getattr(exc, "code", None)
    if code not in CAUSES:
        code = "auth" if status in (401, 403) else "connector-error"
    where = _connector_frame(exc)
    at = f" at {where}" if where else ""
    return tagged(code, f"table `{table}`: {type(exc).__name__}: {exc}{at}")


def _connector_frame(exc: BaseException) -> str:
    """``path:line`` of the innermost traceback frame in the connector's own code."""
    package = str(Path(__file__).resolve().parents[1])
    found = ""
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        ours = filename.startswith(package) and "/examples/workspace/" not in filename
        library = "site-packages" in filename or "/lib/python" in filename
        if not ours and not library:
            found = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found
