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
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

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
    """The registered tool ``name``; ``InputError`` listing the known names otherwise."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise InputError(
            known_values("tool", name, list(_REGISTRY)),
            hint="`skillpack tool list` shows every tool",
            code="unknown-tool",
        ) from None


def all_tools() -> list[Tool]:
    """Every registered tool, sorted by name."""
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]
