"""Incremental-sync validation: cursors, offsets, re-reads, deletes and the read window.

The public face is one tool, also served by the CLI (``skillpack incremental NAME``) and MCP::

    from skillpack.incremental import ValidateIncrementalSyncIn, validate_incremental_sync

    out = validate_incremental_sync(ValidateIncrementalSyncIn(source="example", workspace="ws"))
    assert out.passed, [c.message for t in out.tables for c in t.checks if c.status == "failed"]

Names load on first use: the checks' child process imports this package too, and must not
pay for the whole tool registry.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "SyncCheck",
    "TableSyncResult",
    "ValidateIncrementalSyncIn",
    "ValidateIncrementalSyncOut",
    "validate_incremental_sync",
]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    importlib.import_module("skillpack.tools")  # the registry first; it imports the tool
    module = importlib.import_module("skillpack.incremental.validate")
    return getattr(module, name)
