"""Authentication helpers usable as ``requests`` auth (and so by ``RestClient``).

Every helper keeps its secrets in pydantic ``SecretStr`` and has a ``repr``
that never shows them; ``secret_values()`` lists them for redaction::

    client = RestClient(base_url, auth=auth_from_options(options))

:func:`auth_from_options` picks the helper from the usual option names:

=====================  ===============================================================
kind                   options
=====================  ===============================================================
``oauth2_refresh``     ``client_id``, ``client_secret``, ``refresh_token``, ``token_url``
                       (optional ``scopes``/``scope``)
``bearer``             ``token`` or ``access_token`` or ``bearer_token``
``api_key``            ``api_key`` (optional ``api_key_name``, ``api_key_location``)
``basic``              ``username``, ``password``
=====================  ===============================================================
"""

from __future__ import annotations

import base64
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import requests
from pydantic import SecretStr
from requests.auth import AuthBase

from skillpack.errors import AuthError, ConfigError, SourceError, known_values
from skillpack.sdk.redaction import redact_text, redact_url

_log = logging.getLogger(__name__)

_SCOPE_SPLIT = re.compile(r"[,\s]+")

#: refresh this many seconds before the server-announced expiry
EXPIRY_MARGIN_S = 30.0


def _secret(value: Any, name: str) -> SecretStr:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if not isinstance(value, str) or not value:
        raise ConfigError(
            f"`{name}` must be a non-empty string",
            hint=f"set `{name}` in the connection options",
            code="missing-option",
        )
    return SecretStr(value)


class _SecretAuth(AuthBase):
    """A ``repr`` that never reveals the secret values, and the list of them for redaction."""

    #: attributes left out of ``repr`` and ``secret_values`` (derived or internal)
    _hidden: frozenset[str] = frozenset()

    def secret_values(self) -> set[str]:
        """The secret strings this helper sends, for redaction."""
        return {
            v.get_secret_value()
            for k, v in vars(self).items()
            if isinstance(v, SecretStr) and k not in self._hidden
        } - {""}

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{k.lstrip('_')}=***" if isinstance(v, SecretStr) else f"{k.lstrip('_')}={v!r}"
            for k, v in vars(self).items()
            if not k.startswith("__") and not callable(v) and k not in self._hidden
        )
        return f"{type(self).__name__}({shown})"


class BearerAuth(_SecretAuth):
    """``Authorization: Bearer <token>``."""

    _hidden = frozenset({"_header"})

    def __init__(self, token: str | SecretStr) -> None:
        self._token = _secret(token, "token")
        self._header = SecretStr(f"Bearer {self._token.get_secret_value()}")

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = self._header.get_secret_value()
        return r


class BasicAuth(_SecretAuth):
    """HTTP Basic: ``Authorization: Basic base64(username:password)``."""

    _hidden = frozenset({"_header"})

    def __init__(self, username: str, password: str | SecretStr) -> None:
        if not isinstance(username, str) or not username:
            raise ConfigError(
                "`username` must be a non-empty string",
                hint="set `username` in the connection options",
                code="missing-option",
            )
        self.username = username
        self._password = _secret(password, "password")
        raw = f"{username}:{self._password.get_secret_value()}".encode()
        self._header = SecretStr("Basic " + base64.b64encode(raw).decode("ascii"))

    def secret_values(self) -> set[str]:
        """The password and the encoded header value."""
        return {self._password.get_secret_value(), self._header.get_secret_value()[6:]}

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = self._header.get_secret_value()
        return r


class ApiKeyAuth(_SecretAuth):
    """An API key in a header (default ``X-Api-Key``) or a query parameter.

    ``prefix`` is put before the key in a header, e.g. ``ApiKeyAuth(k,
    name="Authorization", prefix="Token ")``.
    """

    def __init__(
        self,
        key: str | SecretStr,
        name: str = "X-Api-Key",
        location: str = "header",
        *,
        prefix: str = "",
    ) -> None:
        if location not in ("header", "query"):
            raise ConfigError(
                known_values("api key location", location, ("header", "query")),
                hint="use `header` unless the API documents a query parameter such as `api_key`",
            )
        self._key = _secret(key, "api_key")
        self.name = name
        self.location = location
        self.prefix = prefix

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.location == "header":
            r.headers[self.name] = self.prefix + self._key.get_secret_value()
        else:
            r.prepare_url(r.url, {self.name: self._key.get_secret_value()})
        return r


class _OAuth2TokenAuth(_SecretAuth):
    """OAuth 2 access tokens from a token endpoint, for one grant (:meth:`_grant`).

    The first request fetches an access token; it is fetched again shortly
    before ``expires_in`` runs out, and once when a request is answered 401
    (the request is then resent). ``client_auth="basic"`` sends the client
    credentials as HTTP Basic instead of form fields.
    """

    _hidden = frozenset({"_session", "_owns_session", "_lock", "_clock", "_expires_at"})

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str | SecretStr,
        scopes: Iterable[str] | str | None = None,
        session: requests.Session | None = None,
        timeout: float = 30,
        *,
        client_auth: str = "body",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if client_auth not in ("body", "basic"):
            raise ConfigError(
                known_values("client_auth", client_auth, ("body", "basic")),
                hint="`body` sends client_id/client_secret as form fields, `basic` as a header",
            )
        if not token_url:
            raise ConfigError(
                "`token_url` must be set", hint="set the provider's OAuth token endpoint URL"
            )
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = _secret(client_secret, "client_secret")
        # "a b", "a,b" and ["a", "b"] all mean two scopes
        raw = _SCOPE_SPLIT.split(scopes) if isinstance(scopes, str) else list(scopes or [])
        self.scopes = [scope for scope in raw if scope]
        self.timeout = timeout
        self.client_auth = client_auth
        self._session = session
        self._owns_session = session is None
        self._clock = clock
        self._lock = threading.Lock()
        self._access: SecretStr | None = None
        self._expires_at: float | None = None

    def close(self) -> None:
        """Close the token endpoint session if this helper created it."""
        if self._owns_session and self._session is not None:
            self._session.close()
            self._session = None

    @property
    def access_token(self) -> SecretStr | None:
        """The current access token, ``None`` before the first request."""
        return self._access

    def _valid(self) -> bool:
        return self._access is not None and (
            self._expires_at is None or self._clock() < self._expires_at
        )

    def token(self, *, force: bool = False, stale: str | None = None) -> str:
        """A valid access token, fetching one if needed (or if ``force``).

        ``stale`` names the token a 401 was answered to: if another thread has
        refreshed meanwhile the newer token is returned without a second fetch.
        """
        with self._lock:
            current = self._access.get_secret_value() if self._access else None
            if force and stale is not None and current is not None and current != stale:
                return current
            if force or not self._valid():
                self._fetch()
            assert self._access is not None
            return self._access.get_secret_value()

    #: what the token endpoint is said to refuse, in its error, and what to check then
    _grant_words = "the client credentials"
    _refused_hint = "check client_id, client_secret, the scopes and token_url"

    def _grant(self) -> dict[str, str]:
        """The grant's own form fields."""
        raise NotImplementedError

    def _received(self, payload: dict[str, Any]) -> None:
        """What else the grant keeps of a token response (nothing by default)."""

    def _fetch(self) -> None:
        data = self._grant()
        if self.scopes:
            data["scope"] = " ".join(self.scopes)
        auth = None
        if self.client_auth == "basic":
            auth = (self.client_id, self._client_secret.get_secret_value())
        else:
            data["client_id"] = self.client_id
            data["client_secret"] = self._client_secret.get_secret_value()
        if self._session is None:
            self._session = requests.Session()
        where = redact_url(self.token_url)
        try:
            resp = self._session.post(
                self.token_url,
                data=data,
                auth=auth,
                headers={"Accept": "application/json"},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise SourceError(
                f"could not reach the OAuth token endpoint {where} ({type(exc).__name__})",
                hint="check `token_url` and the network; then retry",
                code="unreachable",
            ) from None
        try:
            payload = resp.json()
        except ValueError:
            payload = {}
        if not isinstance(payload, dict):
            payload = {}
        if resp.status_code >= 500:
            raise SourceError(
                f"the OAuth token endpoint {where} failed with HTTP {resp.status_code}",
                hint="the identity provider had a server error: retry later",
                code="oauth-unavailable",
                status=resp.status_code,
            )
        if resp.status_code >= 400 or not payload.get("access_token"):
            reason = payload.get("error") or f"HTTP {resp.status_code}"
            reason = redact_text(str(reason), self.secret_values())[:100]
            raise AuthError(
                f"the OAuth token endpoint {where} refused {self._grant_words} ({reason})",
                hint=self._refused_hint,
                code="oauth-refresh-failed",
                status=resp.status_code if resp.status_code >= 400 else None,
            )
        self._access = SecretStr(str(payload["access_token"]))
        expires_in = payload.get("expires_in")
        self._expires_at = None
        if isinstance(expires_in, (int, float, str)) and str(expires_in).strip():
            try:
                lifetime = float(expires_in)
            except ValueError:
                lifetime = None
            if lifetime is not None:
                margin = min(EXPIRY_MARGIN_S, lifetime / 2)
                self._expires_at = self._clock() + lifetime - margin
        self._received(payload)
        _log.debug("obtained an OAuth access token from %s", where)

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.token()}"
        r.register_hook("response", self._retry_on_401)
        return r

    def _retry_on_401(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        request = response.request
        if response.status_code != 401 or getattr(request, "_skillpack_reauth", False):
            return response
        sent = str(request.headers.get("Authorization", ""))
        fresh = self.token(force=True, stale=sent.removeprefix("Bearer ") or None)
        # drain and release the connection before resending on the same pool
        _ = response.content
        response.close()
        retry = request.copy()
        retry.headers["Authorization"] = f"Bearer {fresh}"
        retry._skillpack_reauth = True  # type: ignore[attr-defined]
        _log.debug("401 answered; resending once with a fresh access token")
        new = response.connection.send(retry, **kwargs)
        new.history.append(response)
        new.request = retry
        return new


class OAuth2ClientCredentialsAuth(_OAuth2TokenAuth):
    """OAuth 2 access tokens obtained with ``grant_type=client_credentials``: a service
    granting tokens to the client's own id and secret, with no user and no refresh token."""

    def _grant(self) -> dict[str, str]:
        return {"grant_type": "client_credentials"}


class OAuth2RefreshTokenAuth(_OAuth2TokenAuth):
    """OAuth 2 access tokens obtained with ``grant_type=refresh_token``.

    When the token endpoint rotates the refresh token, the new one is kept: read it from
    :attr:`refresh_token` to persist it.
    """

    _grant_words = "the refresh token"
    _refused_hint = (
        "the refresh token may be expired or revoked, or client_id/client_secret "
        "are wrong: run the auth-setup skill again to get a new refresh token"
    )

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str | SecretStr,
        refresh_token: str | SecretStr,
        scopes: Iterable[str] | str | None = None,
        session: requests.Session | None = None,
        timeout: float = 30,
        *,
        client_auth: str = "body",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._refresh_token = _secret(refresh_token, "refresh_token")
        super().__init__(
            token_url,
            client_id,
            client_secret,
            scopes,
            session,
            timeout,
            client_auth=client_auth,
            clock=clock,
        )

    @property
    def refresh_token(self) -> SecretStr:
        """The current refresh token (rotated by the server or not)."""
        return self._refresh_token

    def _grant(self) -> dict[str, str]:
        return {
            "grant_type": "refresh_token",
            "refresh_token": self._refresh_token.get_secret_value(),
        }

    def _received(self, payload: dict[str, Any]) -> None:
        rotated = payload.get("refresh_token")
        if isinstance(rotated, str) and rotated:
            self._refresh_token = SecretStr(rotated)


_TOKEN_KEYS = ("token", "access_token", "bearer_token", "api_token")
_KINDS = ("oauth2_refresh", "bearer", "api_key", "basic", "none")
_KIND_ALIASES = {
    "oauth2": "oauth2_refresh",
    "oauth": "oauth2_refresh",
    "oauth2_refresh_token": "oauth2_refresh",
    "token": "bearer",
    "apikey": "api_key",
    "api-key": "api_key",
    "basic_auth": "basic",
}


def _opt(options: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        value = options.get(name)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if value not in (None, ""):
            return value
    return None


def _need(options: Mapping[str, Any], kind: str, *names: str) -> Any:
    value = _opt(options, *names)
    if value is None:
        alternatives = " or ".join(f"`{n}`" for n in names)
        raise ConfigError(
            f"{kind} authentication needs the option {alternatives}",
            hint=f"add {alternatives} to the connection options (dev_config.json)",
            code="missing-option",
        )
    return value


def _infer_kind(options: Mapping[str, Any]) -> str:
    if _opt(options, "refresh_token") is not None:
        return "oauth2_refresh"
    if _opt(options, *_TOKEN_KEYS) is not None:
        return "bearer"
    if _opt(options, "api_key", "apikey") is not None:
        return "api_key"
    if _opt(options, "username", "user", "password") is not None:
        return "basic"
    return "none"


def auth_from_options(options: Mapping[str, Any], kind: str | None = None) -> AuthBase | None:
    """Build the auth helper the connection options describe, or ``None`` for no auth.

    ``kind`` (or the ``auth_type`` option) forces one of ``oauth2_refresh``,
    ``bearer``, ``api_key``, ``basic``, ``none``; otherwise it is inferred from
    which options are set, in the order of the module table. A missing option
    raises ``ConfigError`` naming it.
    """
    chosen = kind or _opt(options, "auth_type", "auth_kind")
    chosen = _infer_kind(options) if chosen is None else str(chosen).strip().lower()
    chosen = _KIND_ALIASES.get(chosen, chosen)
    if chosen not in _KINDS:
        raise ConfigError(
            known_values("auth kind", chosen, _KINDS),
            hint="set `auth_type` to one of them, or leave it out to infer it from the options",
            code="bad-auth-kind",
        )
    if chosen == "none":
        return None
    if chosen == "bearer":
        return BearerAuth(_need(options, "bearer", *_TOKEN_KEYS))
    if chosen == "api_key":
        return ApiKeyAuth(
            _need(options, "api key", "api_key", "apikey"),
            name=_opt(options, "api_key_name", "api_key_header", "api_key_param") or "X-Api-Key",
            location=_opt(options, "api_key_location", "api_key_in") or "header",
            prefix=_opt(options, "api_key_prefix") or "",
        )
    if chosen == "basic":
        return BasicAuth(
            _need(options, "basic", "username", "user"), _need(options, "basic", "password")
        )
    return OAuth2RefreshTokenAuth(
        token_url=_need(options, "OAuth2", "token_url", "token_endpoint"),
        client_id=_need(options, "OAuth2", "client_id"),
        client_secret=_need(options, "OAuth2", "client_secret"),
        refresh_token=_need(options, "OAuth2", "refresh_token"),
        scopes=_opt(options, "scopes", "scope"),
    )
