"""Every typed tool that skills and agents call, importable by name from one place.

Each tool lives in its step's subpackage (``skillpack.apidoc``, ``skillpack.implement``, ...)
as ``<Name>In``, ``<Name>Out`` and one ``@tool`` function; ``skillpack.registry`` knows
which. Names here are resolved on first use, so importing this package is cheap::

    from skillpack.tools import ParseApiDocIn, parse_api_doc

    doc = parse_api_doc(ParseApiDocIn(path="sources/github/github_api_doc.md"))
    data = get_tool("parse_api_doc").call_json({"path": "sources/github/github_api_doc.md"})
"""

from __future__ import annotations

from typing import Any

from skillpack.registry import TOOL_MODULES, Tool, all_tools, get_tool, tool


def _model_names(name: str) -> tuple[str, str]:
    stem = "".join(part.capitalize() for part in name.split("_"))
    return f"{stem}In", f"{stem}Out"


#: exported name -> (tool name, which attribute of the tool)
_LAZY: dict[str, tuple[str, str]] = {}
for _name in TOOL_MODULES:
    _in, _out = _model_names(_name)
    _LAZY[_name] = (_name, "func")
    _LAZY[_in] = (_name, "input_model")
    _LAZY[_out] = (_name, "output_model")


def __getattr__(name: str) -> Any:
    try:
        tool_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(get_tool(tool_name), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = ["TOOL_MODULES", "Tool", "all_tools", "get_tool", "tool", *sorted(_LAZY)]
