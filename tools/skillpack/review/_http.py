"""Where a source's code talks HTTP: raw ``requests``/``httpx``/``urllib`` calls and
``RestClient`` constructions, found with ast."""

from __future__ import annotations

import ast
import contextlib

from skillpack.review._ast import PyFile
from skillpack.review._context import ReviewContext
from skillpack.review._outcome import Unavailable

_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
_SESSION_FACTORIES = frozenset(
    {"requests.Session", "requests.session", "requests.sessions.Session", "httpx.Client"}
)


def http_files(ctx: ReviewContext) -> list[PyFile]:
    """The source's Python files, plus the write-back utilities (they call the source too)."""
    files = list(ctx.python_files("source"))
    if ctx.paths.test_utils.is_file():
        with contextlib.suppress(Unavailable):
            files.append(ctx.utils_py)
    return files


def _sessions(py: PyFile) -> set[str]:
    """Dotted names bound to a requests session or httpx client (``self._session``)."""
    out: set[str] = set()
    for node in py.nodes:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            if py.call_name(node.value) in _SESSION_FACTORIES:
                out.update(py.dotted(t) for t in node.targets)
        elif isinstance(node, ast.With):
            for item in node.items:
                expr = item.context_expr
                opened = isinstance(expr, ast.Call) and py.call_name(expr) in _SESSION_FACTORIES
                if opened and item.optional_vars is not None:
                    out.add(py.dotted(item.optional_vars))
    return out


def raw_http_calls(py: PyFile) -> list[tuple[ast.Call, str]]:
    """Calls that send HTTP without RestClient, with the dotted name they call."""
    sessions = _sessions(py)
    out: list[tuple[ast.Call, str]] = []
    for call in py.calls:
        name = py.call_name(call)
        head, _, verb = name.rpartition(".")
        if (
            (head in ("requests", "requests.api", "httpx") and verb in _VERBS)
            or (head in sessions and verb in _VERBS)
            or name in ("urllib.request.urlopen", "urlopen")
        ):
            out.append((call, name))
    return out


def rest_clients(py: PyFile) -> list[ast.Call]:
    """Constructions of ``RestClient`` (which has a default timeout and retries 429)."""
    return [c for c in py.calls if py.call_name(c).rsplit(".", 1)[-1] == "RestClient"]
