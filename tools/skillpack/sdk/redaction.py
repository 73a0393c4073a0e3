"""Keep secrets out of logs, exception text, reports and recorded traffic.

Two complementary rules:

- by *name*: an option, query parameter, header or mapping key whose name looks
  secret (``api_key``, ``X-Auth-Token``, ``clientSecret`` ...) has its value
  replaced by ``***`` (:func:`is_secret_key`, :func:`redact_url`,
  :func:`redact_headers`, :func:`redact_mapping`);
- by *value*: known secret strings are replaced wherever they appear in free
  text (:func:`secret_values`, :func:`redact_text`, :class:`RedactingFilter`).

Example::

    secrets = secret_values(options)
    logging.getLogger("skillpack").addFilter(RedactingFilter(secrets))
    raise SourceError(redact_text(f"bad answer from {redact_url(url)}: {body}", secrets))
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlsplit, urlunsplit

MASK = "***"

#: words that make a name secret when they appear as a whole word of it
_SECRET_WORDS = (
    r"password|passwd|passphrase|pwd|secret|token|api_?key|apikey|key|private|"
    r"authorization|auth|credentials?|session(?:_?id)?|sid|cookie|signature|bearer|jwt|"
    r"dsn|connection_string|otp"
)
#: trailing words that describe a secret without being one (``token_url``, ``auth_type``,
#: ``key_file``: a path to a secret is not the secret)
_DESCRIPTOR_WORDS = (
    r"url|uri|endpoint|host|type|kind|method|mode|scheme|field|fields|path|location|name|"
    r"param|header|prefix|expires_in|expires_at|expiry|ttl|ttl_s|timeout|version|file|dir|"
    r"duration|count"
)

#: Matches a secret-looking name once it is normalised to ``lower_snake_case``
#: (see :func:`is_secret_key`): a secret word as a whole word, unless the name
#: ends with a descriptor such as ``_url`` or ``_type``.
SECRET_KEY_PATTERN = re.compile(
    rf"^(?!.*_(?:{_DESCRIPTOR_WORDS})$)(?:.*_)?(?:{_SECRET_WORDS})(?:_.*)?$"
)

#: header names that always carry credentials, whatever the pattern says
_ALWAYS_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)

_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=4096)
def is_secret_key(name: str) -> bool:
    """True when an option, parameter or header called ``name`` likely holds a secret.

    Names are compared as ``lower_snake_case``, so ``clientSecret``,
    ``X-Api-Key`` and ``refresh_token`` all match while ``token_url``,
    ``auth_type`` and ``primary_keys`` do not.
    """
    if not isinstance(name, str):
        return False
    normal = _NON_WORD.sub("_", _CAMEL.sub(r"\1_\2", name).lower()).strip("_")
    return bool(SECRET_KEY_PATTERN.match(normal))


def _plain(value: Any) -> Any:
    """Unwrap pydantic ``SecretStr``/``SecretBytes`` so their values can be matched."""
    getter = getattr(value, "get_secret_value", None)
    return getter() if callable(getter) else value


def _collect(value: Any, out: set[str]) -> None:
    value = _plain(value)
    if isinstance(value, str):
        if len(value) >= 4:
            out.add(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            _collect(item, out)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            _collect(item, out)


def _walk(obj: Any, named: frozenset[str], out: set[str]) -> None:
    if isinstance(obj, Mapping):
        for key, value in obj.items():
            if key in named or is_secret_key(key):
                # everything under a secret key is secret, nested or not
                _collect(value, out)
            else:
                _walk(value, named, out)
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            _walk(item, named, out)


def secret_values(options: Mapping[str, Any], secret_keys: Iterable[str] = ()) -> set[str]:
    """The secret strings in ``options``: values of secret-looking or named keys.

    Nested dicts are searched too. Values shorter than 4 characters are left
    out because masking them would garble unrelated text.
    """
    out: set[str] = set()
    _walk(options, frozenset(secret_keys), out)
    return out


def secret_forms(secret: str) -> set[str]:
    """The spellings ``secret`` travels in: as is, percent-encoded, base64, JSON-escaped.

    A server that echoes a request may quote a query value URL-encoded, a JSON body value
    escaped, or a credential in its base64 ``Basic`` form; each is masked like the secret.
    """
    forms = {secret}
    # percent-encoded inside URLs and form bodies (either hex case, `+` or `%20` for spaces)
    for encoded in (quote(secret, safe=""), quote(secret, safe="/"), quote_plus(secret)):
        forms |= {encoded, re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), encoded)}
    # JSON-escaped, as an echoing server quotes a string it received
    forms.add(json.dumps(secret)[1:-1])
    forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
    forms.add(secret.replace("/", "\\/"))
    # base64 (standard and URL-safe, with or without padding)
    if len(secret) >= 4:
        raw = secret.encode("utf-8")
        for coded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
            text = coded.decode("ascii")
            forms |= {text, text.rstrip("=")}
    return {f for f in forms if f}


@functools.lru_cache(maxsize=256)
def _secrets_regex(secrets: frozenset[str]) -> re.Pattern[str] | None:
    variants: set[str] = set()
    for secret in secrets:
        if secret:
            variants |= secret_forms(secret)
    if not variants:
        return None
    # longest first so a secret containing another one is masked whole
    ordered = sorted(variants, key=lambda s: (-len(s), s))
    return re.compile("|".join(re.escape(s) for s in ordered))


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of each secret (longest first) replaced by ``***``."""
    if not text:
        return text
    pattern = _secrets_regex(frozenset(s for s in secrets if isinstance(s, str)))
    if pattern is None:
        return text
    return pattern.sub(MASK, text)


def _redact_pairs(part: str) -> str:
    pieces = []
    for pair in part.split("&"):
        name, eq, _value = pair.partition("=")
        pieces.append(f"{name}={MASK}" if eq and is_secret_key(unquote_plus(name)) else pair)
    return "&".join(pieces)


def redact_url(url: str) -> str:
    """``url`` with secret-looking query (and fragment) parameters masked and no password.

    Other parameters keep their exact spelling, so the URL stays useful in a
    log line: ``https://u:pw@h/x?api_key=k&page=2`` -> ``https://u:***@h/x?api_key=***&page=2``.
    """
    if not isinstance(url, str) or ("?" not in url and "@" not in url and "#" not in url):
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        # unparsable: mask everything after the path rather than risk a leak
        return url.split("?", 1)[0].split("#", 1)[0]
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user, colon, _password = userinfo.partition(":")
        netloc = f"{user}:{MASK}@{hostport}" if colon else f"{user}@{hostport}"
    query = _redact_pairs(parts.query) if parts.query else parts.query
    fragment = _redact_pairs(parts.fragment) if "=" in parts.fragment else parts.fragment
    return urlunsplit((parts.scheme, netloc, parts.path, query, fragment))


def redact_headers(headers: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``headers`` with credentials (``Authorization``, cookies, API keys) masked."""
    return {
        name: MASK if name.lower() in _ALWAYS_SECRET_HEADERS or is_secret_key(name) else value
        for name, value in headers.items()
    }


def redact_mapping(obj: Any, secret_keys: Iterable[str] = ()) -> Any:
    """A deep copy of dicts/lists in ``obj`` with values under secret-looking keys masked."""
    return _redact_obj(obj, frozenset(secret_keys))


def _redact_obj(obj: Any, named: frozenset[str]) -> Any:
    if isinstance(obj, Mapping):
        return {
            key: MASK
            if (key in named or is_secret_key(key)) and value is not None
            else _redact_obj(value, named)
            for key, value in obj.items()
        }
    if isinstance(obj, (list, tuple)):
        return [_redact_obj(item, named) for item in obj]
    return obj


_URL_IN_TEXT = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")
#: a request target as urllib3 logs it (``"GET /x?api_key=... HTTP/1.1"``)
_TARGET_IN_TEXT = re.compile(r"(?<![\w/:])/[^\s'\"<>?]*\?[^\s'\"<>]+")


def url_secrets(url: str) -> set[str]:
    """Secrets a URL carries: its password, the ``Basic`` value made from it, secret params."""
    found: set[str] = set()
    try:
        parts = urlsplit(url)
    except ValueError:
        return found
    if parts.password:
        user, password = unquote(parts.username or ""), unquote(parts.password)
        found |= {password, parts.password}
        basic = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        found |= {basic, f"Basic {basic}"}
    for pair in (parts.query or "").split("&"):
        name, eq, value = pair.partition("=")
        if eq and value and is_secret_key(unquote_plus(name)):
            found |= {value, unquote_plus(value)}
    return {s for s in found if s}


def request_secrets(
    *, url: str = "", params: Any = None, json_body: Any = None, data: Any = None,
    headers: Mapping[str, Any] | None = None,
) -> set[str]:  # fmt: skip
    """Secret values one request sends: secret-named params, body fields and headers, URL userinfo.

    The values are collected so that whatever the server echoes back can be masked by value.
    """
    found = url_secrets(url) if url else set()
    for part in (params, json_body, data):
        if isinstance(part, Mapping):
            found |= secret_values(part)
        elif isinstance(part, (list, tuple)):
            found |= secret_values({"items": part}) - {""}
    for name, value in (headers or {}).items():
        if isinstance(value, str) and (
            name.lower() in _ALWAYS_SECRET_HEADERS or is_secret_key(name)
        ):
            found.add(value)
            scheme, _, rest = value.partition(" ")
            if rest and scheme.lower() in ("bearer", "basic", "token"):
                found.add(rest)
    return {s for s in found if len(s) >= 4}


class RedactingFilter(logging.Filter):
    """A logging filter that masks known secrets (and secret URL parameters) in records.

    Attach it to a handler or logger::

        handler.addFilter(RedactingFilter(secret_values(options)))
    """

    def __init__(self, secrets: Iterable[str] = (), *, urls: bool = True) -> None:
        super().__init__()
        self._secrets: frozenset[str] = frozenset(s for s in secrets if s)
        self._urls = urls

    def __repr__(self) -> str:
        return f"RedactingFilter(<{len(self._secrets)} secrets>)"

    def add(self, *secrets: str) -> None:
        """Also mask ``secrets`` from now on (e.g. a freshly issued access token).

        Values under 4 characters are left out: a filter lives as long as the process and
        masking `p` or `id` would garble every later log line (they are no credential).
        """
        self._secrets = self._secrets | {s for s in secrets if s and len(s) >= 4}

    def scrub(self, text: str) -> str:
        """``text`` with the filter's secrets and secret URL parameters masked."""
        text = redact_text(text, self._secrets)
        if self._urls and "://" in text:
            text = _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)
        if self._urls and "?" in text:
            text = _TARGET_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)
        return text

    def _arg(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, (int, float, bool)) or value is None:
            return value
        # formatting happens later; render now if the rendering would leak
        text = str(value)
        scrubbed = self.scrub(text)
        return value if scrubbed == text else scrubbed

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub ``record`` in place; never drops it."""
        record.msg = self._arg(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {k: self._arg(v) for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(self._arg(a) for a in record.args)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        return True
