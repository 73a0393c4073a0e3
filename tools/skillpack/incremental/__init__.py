"""Incremental-sync validation: cursors, offsets, re-reads, deletes and the read window.

The public face is one tool, also served by the CLI (``skillpack incremental NAME``) and MCP::

    from skillpack.incremental import ValidateIncrementalSyncIn, validate_incremental_sync

    out = validate_incremental_sync(ValidateIncrementalSyncIn(source="example", workspace="ws"))
    assert out.passed, [c.message for t in out.tables for c in t.checks if c.status == "failed"]
"""

from __future__ import annotations

import skillpack.tools  # noqa: F401  (the registry first: it imports the tool module below)
from skillpack.incremental.validate_incremental_sync import (
    SyncCheck,
    TableSyncResult,
    ValidateIncrementalSyncIn,
    ValidateIncrementalSyncOut,
    validate_incremental_sync,
)

__all__ = [
    "SyncCheck",
    "TableSyncResult",
    "ValidateIncrementalSyncIn",
    "ValidateIncrementalSyncOut",
    "validate_incremental_sync",
]
