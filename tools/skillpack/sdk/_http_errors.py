"""The errors ``RestClient`` raises, one per way a request can go wrong, each with its fix.

    401/403                        AuthError (unauthorized / forbidden)
    429, 5xx after the retries     SourceError (rate-limited / server-error)
    404, other 4xx                 SourceError (not-found / client-error)
    no connection, no answer       SourceError (unreachable / timeout)
    body cut short                 SourceError (truncated)

Callers pass text that is already redacted: these functions add no request detail.
"""

from __future__ import annotations

from typing import Any

import requests

from skillpack.errors import AuthError, SourceError
from skillpack.sdk._transfer import Truncated


def transfer_error(where: str, exc: Exception, attempts: int, timeout: Any) -> SourceError:
    """The error for a request that got no complete answer after ``attempts`` tries."""
    if isinstance(exc, Truncated):
        return SourceError(
            f"{where}: {exc.describe()} (after {attempts} attempt(s))",
            hint="the source or a proxy dropped the connection mid-transfer: retry later, "
            "and report it if it keeps happening",
            code="truncated",
        )
    if isinstance(exc, requests.Timeout):
        return SourceError(
            f"{where} timed out after {attempts} attempt(s) ({type(exc).__name__})",
            hint=f"the source did not answer within the {timeout}s timeout: check that "
            "base_url is right and the service is up, or raise the client's timeout",
            code="timeout",
        )
    return SourceError(
        f"{where} could not connect after {attempts} attempt(s) ({type(exc).__name__})",
        hint="check base_url (host and port), the network, VPN or proxy, and that the "
        "service is running",
        code="unreachable",
    )


def status_error(message: str, status: int, attempts: int) -> Exception:
    """The error for an error status; ``message`` already names the request and the body."""
    if status == 401:
        return AuthError(
            message,
            hint="check the credentials (token, API key or username/password) in the "
            "connection options: they may be wrong, expired or revoked",
            code="unauthorized",
            status=status,
        )
    if status == 403:
        return AuthError(
            message,
            hint="the credentials are valid but lack permission: grant the missing "
            "permission or OAuth scope to the token, or use an account that has it",
            code="forbidden",
            status=status,
        )
    if status == 429:
        return SourceError(
            f"{message} (after {attempts} attempt(s))",
            hint="the source kept rate-limiting: lower the request rate or raise "
            "max_retries / max_backoff",
            code="rate-limited",
            status=status,
        )
    if status >= 500:
        return SourceError(
            f"{message} (after {attempts} attempt(s))",
            hint="the source failed on its side: retry later, and report it if it persists",
            code="server-error",
            status=status,
        )
    if status == 404:
        return SourceError(
            message,
            hint="check the path against the API doc and that the object exists",
            code="not-found",
            status=status,
        )
    return SourceError(
        message,
        hint="the source rejected the request: check the path, query parameters and "
        "body against the API doc",
        code="client-error",
        status=status,
    )
