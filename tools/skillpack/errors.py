"""The exception hierarchy, named for what the caller should do next.

    SkillpackError          base; carries ``hint`` (how to fix) and ``code`` (stable id)
    ├── InputError          fix your input: a bad source name, a malformed doc, a wrong option
    │   └── ConfigError     fix the connector configuration (missing or invalid option)
    ├── AuthError           fix the credentials (401/403 from the source)
    ├── SourceError         the remote system misbehaved or could not be reached; retry or report
    └── GateFailed          an orchestrated step's gate did not hold; see ``hint``

The CLI prints ``str(error)`` and the hint on one line each and exits 2 for
``InputError``/``ConfigError``/``AuthError``, 1 for the rest. Messages must never
contain secret values: callers pass values through ``skillpack.sdk.redaction`` first.
"""

from __future__ import annotations


class SkillpackError(Exception):
    """Base of every error this package raises on purpose."""

    #: exit status the CLI uses for this family of errors
    exit_code: int = 1
    #: default stable code; instances may override it
    default_code: str = "error"

    def __init__(self, message: str, *, hint: str = "", code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code or self.default_code

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready view used by the CLI (``--json``) and the MCP server."""
        return {
            "error": type(self).__name__,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


class InputError(SkillpackError):
    """The caller's input is wrong; the hint says what to change."""

    exit_code = 2
    default_code = "bad-input"


class ConfigError(InputError):
    """The connector configuration is missing a value or holds a wrong one."""

    default_code = "bad-config"


class AuthError(SkillpackError):
    """The source rejected the credentials (401) or the permissions (403)."""

    exit_code = 2
    default_code = "auth"

    def __init__(
        self, message: str, *, hint: str = "", code: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(message, hint=hint, code=code)
        self.status = status


class SourceError(SkillpackError):
    """The source misbehaved (5xx, bad payload) or could not be reached (timeout, refused)."""

    default_code = "source"

    def __init__(
        self, message: str, *, hint: str = "", code: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(message, hint=hint, code=code)
        self.status = status


class GateFailed(SkillpackError):
    """An orchestrated step finished but its gate (a named output field) did not hold."""

    default_code = "gate-failed"


def known_values(name: str, value: object, known: list[str] | tuple[str, ...] | set[str]) -> str:
    """Format "unknown `name` `value`; use one of `a`, `b`" for error messages."""
    listed = ", ".join(f"`{k}`" for k in sorted(known))
    return f"unknown {name} `{value}`; use one of {listed}"
