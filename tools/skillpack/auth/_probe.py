"""The child process of ``validate_auth``: build the connector, list its tables, read one record.

Run by path (``python _auth_probe.py``), not as a module, so the child imports the
connector and the SDK only, never the tool registry. The job arrives as JSON on stdin::

    {"module": "sources.kinto.kinto", "class": null, "import_roots": ["/ws", "/ws/tests/..."],
     "config": {...}, "table": null, "read_sample": true, "skip_tables": [], "secrets": [...],
     "connect_timeout_s": 5}

stdout carries one JSON object per line: ``{"stage": NAME}`` as each stage starts, then
``{"result": {...}}``. Whatever the connector prints goes to stderr instead, so it can
neither corrupt the protocol nor leak a secret into it. Every message is redacted here and
again by the parent.
"""

from __future__ import annotations

import importlib
import inspect
import json
import socket
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

_OUT = sys.stdout
_MESSAGE_LIMIT = 600


def _emit(obj: dict[str, Any]) -> None:
    _OUT.write(json.dumps(obj) + "\n")
    _OUT.flush()


def _find_class(module: Any, name: str | None) -> type:
    if name is not None:
        found = getattr(module, name, None)
        if not isinstance(found, type):
            raise LookupError(f"`{module.__name__}` has no class `{name}`")
        return found
    candidates = [
        obj
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if obj.__module__ == module.__name__
        and callable(getattr(obj, "list_tables", None))
        and callable(getattr(obj, "read_table", None))
        and not inspect.isabstract(obj)
    ]
    if not candidates:
        raise LookupError(f"`{module.__name__}` defines no connector class")
    # Lakeflow names its connectors FooLakeflowConnect; prefer that when several match.
    candidates.sort(key=lambda c: (not c.__name__.endswith("LakeflowConnect"), c.__name__))
    return candidates[0]


def _urls(config: dict[str, Any]) -> list[tuple[str, int]]:
    """(host, port) of every URL-valued option whose name says it is an endpoint."""
    seen: list[tuple[str, int]] = []
    for key, value in config.items():
        lowered = str(key).lower()
        if not isinstance(value, str) or ("url" not in lowered and "endpoint" not in lowered):
            continue
        if not value.startswith(("http://", "https://")):
            continue
        try:
            parts = urlsplit(value)
            host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            continue
        if host and (host, port) not in seen:
            seen.append((host, port))
    return seen


def _connect(config: dict[str, Any], timeout: float) -> None:
    """Fail fast on a host nobody listens on, before the connector's retries kick in."""
    for host, port in _urls(config):
        try:
            socket.create_connection((host, port), timeout=timeout).close()
        except OSError as exc:
            raise ConnectionError(
                f"cannot connect to {host}:{port} ({type(exc).__name__}: {exc.strerror or exc})"
            ) from None


def _status(exc: BaseException) -> int | None:
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        return status
    response = getattr(exc, "response", None)
    code = getattr(response, "status_code", None)
    return code if isinstance(code, int) else None


def _describe(exc: BaseException, redact: Any) -> dict[str, Any]:
    message = redact(str(exc) or type(exc).__name__)
    hint = getattr(exc, "hint", "")
    return {
        "types": [t.__name__ for t in type(exc).__mro__],
        "code": getattr(exc, "code", None) if isinstance(getattr(exc, "code", None), str) else None,
        "status": _status(exc),
        "message": message[:_MESSAGE_LIMIT],
        "hint": redact(hint)[:_MESSAGE_LIMIT] if isinstance(hint, str) else "",
    }


def run(job: dict[str, Any]) -> dict[str, Any]:
    """Run the probe; the result names the last stage reached and any error there."""
    from skillpack.sdk.redaction import RedactingFilter

    scrubber = RedactingFilter(job.get("secrets", ()))
    for root in reversed(job.get("import_roots", [])):
        sys.path.insert(0, root)
    config = job["config"]
    stage = "import"
    tables: list[str] = []
    try:
        _emit({"stage": stage})
        module = importlib.import_module(job["module"])
        cls = _find_class(module, job.get("class"))
        stage = "init"
        _emit({"stage": stage})
        connector = cls(dict(config))
        stage = "connect"
        _emit({"stage": stage})
        _connect(config, float(job.get("connect_timeout_s", 5.0)))
        stage = "list_tables"
        _emit({"stage": stage})
        tables = [str(t) for t in connector.list_tables()]
        table = job.get("table")
        if table is None and job.get("read_sample", True):
            skip = set(job.get("skip_tables", ()))
            table = next((t for t in tables if t not in skip), None)
        if table is not None:
            stage = "read"
            _emit({"stage": stage})
            records, _offset = connector.read_table(table, None, {})
            next(iter(records), None)
        return {"stage": "done", "tables": tables, "table": table, "error": None}
    except BaseException as exc:  # a connector may even call sys.exit(): report it all
        return {"stage": stage, "tables": tables, "error": _describe(exc, scrubber.scrub)}


def main() -> int:
    """Read the job, run it, print the result; the exit status is 0 whenever a result is out."""
    # Our own folder must not shadow the connector's imports (it holds `models.py` and such).
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [p for p in sys.path if p and str(Path(p).resolve()) != here]
    # Make the package importable even when it is not installed in this interpreter.
    sys.path.append(str(Path(__file__).resolve().parents[2]))
    job = json.loads(sys.stdin.read())
    sys.stdout = sys.stderr
    _emit({"result": run(job)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
