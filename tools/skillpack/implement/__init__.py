"""Writing a connector from its parsed doc: ``implement_connector``."""

from __future__ import annotations

from skillpack.implement._upstream import replay_config_lines
from skillpack.implement.implement import (
    ImplementConnectorIn,
    ImplementConnectorOut,
    TodoItem,
    implement_connector,
)

__all__ = [
    "ImplementConnectorIn",
    "ImplementConnectorOut",
    "TodoItem",
    "implement_connector",
    "replay_config_lines",
]
