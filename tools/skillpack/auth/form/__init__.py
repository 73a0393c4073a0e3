"""``skillpack auth NAME``: a one-time browser form that writes a source's credentials.

For a person at a terminal; agents call the ``write_credentials`` tool instead, since tools
never prompt. The form is built from ``connector_spec.yaml`` (secret fields as password
inputs, required marks, descriptions, defaults), served on 127.0.0.1 only, and writes the
dev config (0600, merged) once, then stops::

    result = run_form(paths, announce=lambda url: print(url, file=sys.stderr))
    result.fields_set      # names only, never values

OAuth 2 authorization-code sources (``connection.oauth2`` in the spec) sign in with PKCE
and store the refresh token the provider returns.
"""

from __future__ import annotations

import os
import sys
import webbrowser
from collections.abc import Callable

from skillpack.auth._credentials import CredentialsWritten, load_spec
from skillpack.auth.form.server import FormServer
from skillpack.layout import SourcePaths

__all__ = ["FormServer", "has_display", "run_form"]

#: seconds the form waits for a submission by default
DEFAULT_TIMEOUT_S = 600.0


def has_display() -> bool:
    """True where opening a browser can work: macOS, Windows, or an X11/Wayland session."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_form(
    paths: SourcePaths,
    *,
    announce: Callable[[str], None],
    port: int = 0,
    timeout: float = DEFAULT_TIMEOUT_S,
    open_browser: bool = True,
) -> CredentialsWritten:
    """Serve the form until one submission is saved (or ``timeout``), then stop.

    ``announce`` receives the form's URL before the wait starts; the browser is opened too
    when ``open_browser`` and a display exists. Raises ``InputError`` for a missing or bad
    spec, a busy port or a timeout.
    """
    spec = load_spec(paths)
    with FormServer(paths, spec, port=port) as form:
        announce(form.url)
        if open_browser and has_display():
            webbrowser.open(form.url)
        return form.wait(timeout)
