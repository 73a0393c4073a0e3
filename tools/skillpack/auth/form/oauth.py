"""OAuth 2 authorization code with PKCE (RFC 7636), as the auth form runs it.

The form sends the browser to the provider's authorize URL with a fresh ``state`` and a
S256 code challenge; the provider sends it back to ``/callback`` with a code, which is
exchanged here, with the code verifier, for a refresh token::

    flow = PendingFlow.start(values, redirect_uri)
    url = authorize_url(spec_flow, client_id, flow)
    refresh_token = exchange_code(spec_flow, flow, code, client_id, client_secret)
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import requests

from skillpack.auth._credentials import OAuth2Flow
from skillpack.errors import AuthError, SourceError
from skillpack.sdk.redaction import redact_text, redact_url

#: seconds the token endpoint may take to answer
TOKEN_TIMEOUT_S = 30.0
_REASON_LIMIT = 120


def code_challenge(verifier: str) -> str:
    """The S256 challenge of ``verifier``: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class PendingFlow:
    """One started sign-in: what the callback needs to finish it."""

    state: str
    verifier: str = field(repr=False)
    redirect_uri: str
    #: the form's other values, written together with the refresh token
    values: dict[str, str] = field(repr=False)

    @classmethod
    def start(cls, values: dict[str, str], redirect_uri: str) -> PendingFlow:
        """A flow with a fresh state and a 64-character verifier (RFC 7636 allows 43-128)."""
        return cls(
            state=secrets.token_urlsafe(32),
            verifier=secrets.token_urlsafe(48),
            redirect_uri=redirect_uri,
            values=values,
        )


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, for the page's Content-Security-Policy."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def authorize_url(spec: OAuth2Flow, client_id: str, flow: PendingFlow) -> str:
    """Where to send the browser to sign in, with state and the PKCE challenge."""
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": flow.redirect_uri,
        "state": flow.state,
        "code_challenge": code_challenge(flow.verifier),
        "code_challenge_method": "S256",
    }
    if spec.scopes:
        params["scope"] = " ".join(spec.scopes)
    params.update(spec.authorize_params)
    joiner = "&" if "?" in spec.authorize_url else "?"
    return spec.authorize_url + joiner + urlencode(params)


def exchange_code(
    spec: OAuth2Flow,
    flow: PendingFlow,
    code: str,
    client_id: str,
    client_secret: str | None,
    *,
    timeout: float = TOKEN_TIMEOUT_S,
) -> str:
    """Trade the authorization code for tokens and return the refresh token.

    Raises ``SourceError`` when the token endpoint cannot be reached or fails, and
    ``AuthError`` when it refuses the code or answers without a refresh token.
    """
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": flow.redirect_uri,
        "client_id": client_id,
        "code_verifier": flow.verifier,
    }
    if client_secret:
        data["client_secret"] = client_secret
    hidden = {v for v in (code, flow.verifier, client_secret) if v}
    where = redact_url(spec.token_url)
    try:
        resp = requests.post(
            spec.token_url, data=data, headers={"Accept": "application/json"}, timeout=timeout
        )
    except requests.RequestException as exc:
        raise SourceError(
            f"could not reach the token endpoint {where} ({type(exc).__name__})",
            hint="check `token_url` in connector_spec.yaml and the network, then start again",
            code="unreachable",
        ) from None
    try:
        payload = resp.json()
    except ValueError:
        payload = None
    payload = payload if isinstance(payload, dict) else {}
    if resp.status_code >= 500:
        raise SourceError(
            f"the token endpoint {where} failed with HTTP {resp.status_code}",
            hint="the provider had a server error: start the sign-in again later",
            code="oauth-unavailable",
            status=resp.status_code,
        )
    if resp.status_code >= 400:
        reason = str(payload.get("error_description") or payload.get("error") or "")
        reason = redact_text(reason, hidden)[:_REASON_LIMIT] or f"HTTP {resp.status_code}"
        raise AuthError(
            f"the token endpoint {where} refused the authorization code ({reason})",
            hint="check the client id and secret, and that the redirect URI shown on the form "
            "is registered with the provider; then start again",
            code="oauth-code-refused",
            status=resp.status_code,
        )
    refresh = payload.get("refresh_token")
    if not isinstance(refresh, str) or not refresh:
        raise AuthError(
            f"the token endpoint {where} answered without a refresh token",
            hint="ask for offline access: add the provider's offline scope to `scopes`, or "
            "`access_type: offline` to `authorize_params` in connector_spec.yaml",
            code="oauth-no-refresh-token",
        )
    return refresh
