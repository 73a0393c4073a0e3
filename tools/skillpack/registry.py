"""The tool registry: one ``@tool`` registration serves Python, the CLI and MCP alike.

A tool is a plain function taking one pydantic ``<Name>In`` and returning one ``<Name>Out``.
``<Name>Out`` names its gate in a ``GATE`` class attribute (an output field that is truthy when
the tool's work passed); ``skillpack tool NAME`` exits 1 when it is not, and ``skillpack create``
gates each step on the same field::

    @tool
    def parse_api_doc(inp: ParseApiDocIn) -> ParseApiDocOut:
        \"\"\"Read a Markdown API doc into typed data. Run it first on a new doc.\"\"\"

Its name is the function name, its description the docstring, and its schemas come from the
two annotations. ``@tool`` returns the function unchanged, so Python callers import and call
it with models in and out; the CLI and the MCP server go through :meth:`Tool.call_json`.

``TOOL_MODULES`` says which step module defines each tool; a tool's module is imported the
first time the tool is asked for, so ``skillpack tool NAME`` loads one step and nothing else.
Names, descriptions and schemas of every tool are also kept in ``tool_manifest.json`` beside
this file, so listing the tools (``skillpack tool list``, the MCP server's ``tools/list``)
imports none of them; ``python -m skillpack.registry`` rewrites it and a test keeps it current.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from skillpack.errors import InputError, known_values

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Tool:
    """A registered tool: its function, name, description and input/output models."""

    name: str
    description: str
    func: Callable[[Any], BaseModel]
    input_model: type[BaseModel]
    output_model: type[BaseModel]

    @property
    def summary(self) -> str:
        """The description's first line."""
        return self.description.splitlines()[0] if self.description else ""

    def input_schema(self) -> dict[str, Any]:
        """JSON Schema of the input: an object whose properties are the input fields."""
        return self.input_model.model_json_schema(mode="validation")

    def output_schema(self) -> dict[str, Any]:
        """JSON Schema of the output model, as serialised."""
        return self.output_model.model_json_schema(mode="serialization")

    @property
    def gate(self) -> str | None:
        """The output field that is the tool's gate (``Out.GATE``): truthy means it passed."""
        return getattr(self.output_model, "GATE", None)

    def gate_passed(self, out: dict[str, Any]) -> bool:
        """Whether ``out`` (the tool's output as JSON data) passes the tool's gate."""
        return self.gate is None or bool(out.get(self.gate))

    def __call__(self, inp: BaseModel) -> BaseModel:
        return self.func(inp)

    def call_json(self, data: Any) -> dict[str, Any]:
        """Validate ``data`` into the input model, run the tool, return the output as JSON data.

        Raises pydantic's ``ValidationError`` for bad input and whatever the tool raises.
        """
        inp = self.input_model.model_validate(data)
        out = self.func(inp)
        return out.model_dump(mode="json")


#: each tool's name and the module that defines it, in the order a connector is built
TOOL_MODULES: dict[str, str] = {
    "parse_api_doc": "skillpack.apidoc.parse",
    "lint_api_doc": "skillpack.apidoc.lint",
    "generate_connector_spec": "skillpack.apidoc.spec",
    "implement_connector": "skillpack.implement.implement",
    "write_test_utils": "skillpack.writeback.generate",
    "write_credentials": "skillpack.auth.credentials",
    "validate_auth": "skillpack.auth.validate",
    "run_suite": "skillpack.suite.run",
    "validate_incremental_sync": "skillpack.incremental.validate",
    "review_connector": "skillpack.review.review",
    "package_connector": "skillpack.package.package",
}
MANIFEST = Path(__file__).with_name("tool_manifest.json")

_REGISTRY: dict[str, Tool] = {}


def tool(func: F) -> F:
    """Register ``func`` as a tool and return it unchanged."""
    name = func.__name__
    if not _NAME.match(name):
        raise ValueError(f"tool name `{name}` must be a snake_case verb phrase")
    doc = inspect.getdoc(func)
    if not doc:
        raise ValueError(f"tool `{name}` needs a docstring: it is the description agents read")
    hints = typing.get_type_hints(func)
    params = list(inspect.signature(func).parameters)
    if len(params) != 1:
        raise TypeError(f"tool `{name}` must take exactly one argument, its input model")
    in_model, out_model = hints.get(params[0]), hints.get("return")
    for role, model in (("input", in_model), ("output", out_model)):
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise TypeError(f"tool `{name}` needs a pydantic model as its {role} annotation")
    existing = _REGISTRY.get(name)
    if existing is not None and existing.func.__qualname__ != func.__qualname__:
        raise ValueError(f"tool `{name}` is registered twice")
    _REGISTRY[name] = Tool(name, doc, func, in_model, out_model)  # type: ignore[arg-type]
    return func


def get_tool(name: str) -> Tool:
    """The tool ``name``, importing its module on first use; ``InputError`` if unknown."""
    if name not in _REGISTRY:
        module = TOOL_MODULES.get(name)
        if module is None:
            raise InputError(
                known_values("tool", name, list(TOOL_MODULES)),
                hint="`skillpack tool list` shows every tool",
                code="unknown-tool",
            )
        importlib.import_module(module)
    return _REGISTRY[name]


def all_tools() -> list[Tool]:
    """Every tool, sorted by name; imports every tool module."""
    return [get_tool(name) for name in sorted(TOOL_MODULES)]


def tool_names() -> list[str]:
    """Every tool's name, sorted, without importing any tool."""
    return sorted(TOOL_MODULES)


def describe(t: Tool) -> dict[str, Any]:
    """A tool as the manifest, ``tool list --json`` and MCP describe it."""
    return {
        "name": t.name,
        "description": t.description,
        "input_schema": t.input_schema(),
        "output_schema": t.output_schema(),
    }


def manifest() -> list[dict[str, Any]]:
    """Every tool's description from ``tool_manifest.json``, sorted by name; imports no tool.

    Falls back to importing the tools when the file is missing (a source checkout mid-edit).
    """
    try:
        entries = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [describe(t) for t in all_tools()]
    return sorted(entries, key=lambda e: e["name"])


def write_manifest() -> Path:
    """Rewrite ``tool_manifest.json`` from the tools themselves; returns its path."""
    text = json.dumps([describe(t) for t in all_tools()], indent=1, sort_keys=True)
    MANIFEST.write_text(text + "\n", encoding="utf-8")
    return MANIFEST


def describe_validation_error(exc: ValidationError) -> str:
    """One line naming the first bad field and pydantic's message (never the value)."""
    errors = exc.errors(include_url=False, include_input=False)
    if not errors:
        return "invalid input"
    first = errors[0]
    loc = ".".join(str(p) for p in first.get("loc", ())) or "input"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"invalid input: `{loc}`: {first.get('msg', 'invalid')}{more}"


if __name__ == "__main__":
    # Run as a script this file is `__main__`; the tools register with `skillpack.registry`.
    from skillpack import registry

    sys.stdout.write(f"wrote {registry.write_manifest()}\n")
