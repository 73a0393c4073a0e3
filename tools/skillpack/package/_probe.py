"""Run by package verification in a fresh interpreter: import a connector, list its tables.

    python -I _package_probe.py REQUEST.json

``REQUEST.json`` holds ``module`` (a dotted name) or ``file`` (a single-file module),
``path`` (folders to put first on ``sys.path``), ``config`` (stand-in options),
``skillpack`` (``"absent"``: the pack must not be importable; ``"under:DIR"``: it must come
from DIR). One JSON object is printed: what was imported from where, the connector class, and
how ``list_tables()`` went (``passed``, ``skipped`` when it needs the network or refuses the
stand-in config, ``failed``).

It uses the standard library only, since it runs where the pack is missing on purpose, and
blocks the network: verification never reaches a real source.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import socket
import sys
from pathlib import Path
from typing import Any


class _NeedsNetwork(BaseException):
    """Raised instead of connecting; a BaseException so no retry loop swallows it."""


def _blocked(*args: Any, **kwargs: Any) -> Any:
    target = next((a for a in args if isinstance(a, (tuple, str))), "")
    raise _NeedsNetwork(str(target))


def _block_network() -> None:
    socket.getaddrinfo = _blocked  # type: ignore[assignment]
    socket.create_connection = _blocked  # type: ignore[assignment]
    socket.socket.connect = _blocked  # type: ignore[method-assign]
    socket.socket.connect_ex = _blocked  # type: ignore[method-assign]


def _error(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}".rstrip(": ")


def _import(request: dict[str, Any]) -> Any:
    if request.get("file"):
        path = Path(request["file"])
        spec = importlib.util.spec_from_file_location(path.stem, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module
        spec.loader.exec_module(module)
        return module
    return importlib.import_module(request["module"])


def _connector_class(module: Any) -> type | None:
    found = [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type)
        and obj.__module__ == module.__name__
        and callable(getattr(obj, "list_tables", None))
        and callable(getattr(obj, "read_table", None))
        and not getattr(obj, "__abstractmethods__", None)
    ]
    found.sort(key=lambda c: (not c.__name__.endswith("LakeflowConnect"), c.__name__))
    return found[0] if found else None


def _skillpack_problem(expect: str) -> str | None:
    spec = importlib.util.find_spec("skillpack")
    where = (
        None if spec is None else (spec.origin or str(list(spec.submodule_search_locations or [])))
    )
    if expect == "absent":
        return None if spec is None else f"skillpack is importable here ({where})"
    if expect.startswith("under:"):
        base = os.path.realpath(expect.removeprefix("under:"))
        if spec is None or where is None:
            return "skillpack is not importable"
        if not os.path.realpath(where).startswith(base + os.sep):
            return f"skillpack comes from {where}, not from {base}"
    return None


def probe(request: dict[str, Any]) -> dict[str, Any]:
    """Import, check where the pack comes from, then list tables with the network blocked."""
    for entry in reversed(request.get("path", [])):
        sys.path.insert(0, entry)
    result: dict[str, Any] = {"imported": False, "list_tables": "skipped", "detail": ""}
    problem = _skillpack_problem(request.get("skillpack", ""))
    if problem:
        result["detail"] = problem
        return result
    try:
        module = _import(request)
    except Exception as exc:
        result["detail"] = _error(exc)
        return result
    result.update(imported=True, module_file=getattr(module, "__file__", None))
    cls = _connector_class(module)
    if cls is None:
        result["detail"] = "no connector class (a class with list_tables and read_table)"
        return result
    result["connector_class"] = cls.__name__
    _block_network()
    try:
        connector = cls(dict(request.get("config") or {}))
    except _NeedsNetwork as exc:
        result["detail"] = f"the connector connects when built (to {exc}); not run offline"
        return result
    except Exception as exc:
        result["detail"] = f"the connector refused the stand-in config: {_error(exc)}"
        return result
    try:
        tables = connector.list_tables()
    except _NeedsNetwork as exc:
        result["detail"] = f"list_tables() needs the source (it connects to {exc}); not run offline"
        return result
    except Exception as exc:
        result.update(list_tables="failed", detail=f"list_tables() raised {_error(exc)}")
        return result
    if not isinstance(tables, list) or not all(isinstance(t, str) for t in tables):
        result.update(list_tables="failed", detail="list_tables() did not return a list of str")
        return result
    result.update(list_tables="passed", tables=tables)
    return result


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    with open(sys.argv[1], encoding="utf-8") as f:
        request = json.load(f)
    sys.stdout.write(json.dumps(probe(request)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
