"""The typed tools that skills and agents call, and the registry that serves them.

Each tool lives in its own module as ``<Name>In``, ``<Name>Out`` and one ``@tool`` function.
Importing this package imports every module in ``TOOL_MODULES``, which registers its tool;
adding a tool is one new module plus one line there. Every tool function and its two models
are then importable from here::

    from skillpack.tools import ParseApiDocIn, parse_api_doc

    doc = parse_api_doc(ParseApiDocIn(path="sources/github/github_api_doc.md"))
    data = get_tool("parse_api_doc").call_json({"path": "sources/github/github_api_doc.md"})
"""

from __future__ import annotations

import importlib
from typing import Any

from skillpack.tools.registry import Tool, all_tools, get_tool, tool

#: modules that define tools, imported (and so registered) in this order
TOOL_MODULES = (
    "skillpack.tools.parse_api_doc",
    "skillpack.tools.lint_api_doc",
    "skillpack.tools.generate_connector_spec",
    "skillpack.tools.implement_connector",
    "skillpack.tools.write_test_utils",
    "skillpack.tools.write_credentials",
    "skillpack.tools.validate_auth",
    "skillpack.tools.run_suite",
    "skillpack.tools.review_connector",
    "skillpack.tools.package_connector",
    "skillpack.incremental.validate",
)

for _module in TOOL_MODULES:
    importlib.import_module(_module)


def _exports() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for t in all_tools():
        out[t.name] = t.func
        out[t.input_model.__name__] = t.input_model
        out[t.output_model.__name__] = t.output_model
    return out


# Each tool function shadows its same-named module here, as ``from skillpack.tools import
# parse_api_doc`` promises; import module-level helpers from the module path instead.
globals().update(_exports())

__all__ = ["TOOL_MODULES", "Tool", "all_tools", "get_tool", "tool", *sorted(_exports())]
