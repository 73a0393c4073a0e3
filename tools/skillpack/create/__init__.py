"""``skillpack create``: every step, one gated tool call at a time, with state and resume."""

from __future__ import annotations

from skillpack.create.orchestrator import Context, RunState, context_for, run_create

__all__ = ["Context", "RunState", "context_for", "run_create"]
