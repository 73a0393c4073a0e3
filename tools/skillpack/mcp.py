"""``skillpack mcp``: every registered tool served over MCP on stdin/stdout.

Each tool's ``inputSchema`` is its input model's JSON Schema (the fields sit at the top level,
so ``parse_api_doc`` is called with ``{"path": ...}``) and its ``outputSchema`` the output
model's; results come back as structured content, with the same JSON as a text block. A
mistake the caller can fix, or a bug, becomes an error result (``isError``) carrying the
message and hint; the server keeps serving.
"""

from __future__ import annotations

import json
import traceback
from typing import Any

import anyio
import mcp_types as types
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from pydantic import ValidationError

from skillpack import __version__
from skillpack.errors import SkillpackError
from skillpack.registry import describe_validation_error, get_tool, manifest

SERVER_NAME = "skillpack"


def _error(message: str, hint: str = "") -> types.CallToolResult:
    text = f"error: {message}" + (f"\nhint: {hint}" if hint else "")
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=True)


def call(name: str, arguments: dict[str, Any] | None) -> types.CallToolResult:
    """Run tool ``name`` on ``arguments`` the way the CLI does, as an MCP result."""
    try:
        found = get_tool(name)
        data = found.call_json(arguments or {})
    except SkillpackError as exc:
        return _error(str(exc), exc.hint)
    except ValidationError as exc:
        return _error(describe_validation_error(exc), "see the tool's inputSchema")
    except Exception as exc:  # a bug: report it and keep serving
        traceback.print_exc()
        return _error(
            f"{type(exc).__name__}: {exc}", "this is a bug in skillpack; please report it"
        )
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)], structured_content=data
    )


def list_tools() -> list[types.Tool]:
    """Every registered tool as MCP describes it, from the manifest: no tool is imported."""
    return [
        types.Tool(
            name=t["name"],
            description=t["description"],
            input_schema=t["input_schema"],
            output_schema=t["output_schema"],
        )
        for t in manifest()
    ]


def build_server() -> Server:
    """A low-level MCP server whose tools are the registry's."""

    async def on_list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=list_tools())

    async def on_call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        # Tools are blocking functions; run them off the event loop.
        return await anyio.to_thread.run_sync(call, params.name, params.arguments)

    return Server(
        SERVER_NAME,
        version=__version__,
        instructions="Typed tools for building data-source connectors; see each tool's schema.",
        on_list_tools=on_list_tools,
        on_call_tool=on_call_tool,
    )


async def _serve() -> None:
    server = build_server()
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


def serve() -> int:
    """Serve until the client closes stdin; returns the exit status."""
    anyio.run(_serve)
    return 0
