"""Record a test class's HTTP exchanges to a vcrpy cassette, and replay them offline.

Recording scrubs secrets before anything reaches the file: credential headers
(``Authorization``, cookies, API-key headers) are dropped, secret-looking query parameters are
masked (``skillpack.sdk.redaction.redact_url``), and every secret value of the connector
config (plus its Basic-auth and JSON-escaped forms) is replaced by ``***`` in URLs, headers
and bodies, wherever it appears.

Replay matches on method, path and sorted query, so the host and port (Kinto gets a new port
every run) do not matter; the same scrubbing runs on incoming requests, so a masked parameter
matches whatever value the replay sends. Identical requests get their recorded answers in
order, then the last one again. A request with no recorded answer fails the test with
``[simulator-miss]``, naming the method and URL and how to re-record.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import vcr
from vcr.cassette import Cassette
from vcr.record_mode import RecordMode

from skillpack.sdk.redaction import redact_text, redact_url, secret_values
from skillpack.testing._reads import SuiteFailure

RECORD_HINT = "re-record it with CONNECTOR_TEST_MODE=record (a live run against the source)"
MATCH_ON = ("method", "path", "query")

#: request headers that carry credentials, dropped whatever their value
_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "x-api-key", "x-auth-token"}
)
#: response headers dropped: credentials, and browser-only policy headers no client reads
_DROPPED_RESPONSE_HEADERS = frozenset(
    {
        "set-cookie",
        "content-security-policy",
        "x-content-type-options",
        "access-control-expose-headers",
        "strict-transport-security",
    }
)


def config_secrets(config: Mapping[str, Any]) -> frozenset[str]:
    """Every form in which the config's secrets can travel: raw, Basic-auth and JSON-escaped."""
    found = set(secret_values(config))
    user = config.get("username") or config.get("user")
    password = config.get("password")
    if isinstance(user, str) and isinstance(password, str) and password:
        found.add(base64.b64encode(f"{user}:{password}".encode()).decode("ascii"))
    # A secret with quotes, backslashes or non-ASCII text is spelled escaped inside JSON.
    found |= {json.dumps(s)[1:-1] for s in list(found)}
    return frozenset(s for s in found if s)


class Scrubber:
    """Removes credentials and known secret values from vcrpy requests and responses."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = frozenset(secrets)

    def text(self, value: str) -> str:
        """``value`` with each known secret replaced by ``***``."""
        return redact_text(value, self._secrets)

    def body(self, body: Any) -> Any:
        """A bytes or text body with secrets masked; binary bodies pass unchanged."""
        if isinstance(body, bytes):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                return body
            scrubbed = self.text(text)
            return body if scrubbed == text else scrubbed.encode("utf-8")
        if isinstance(body, str):
            return self.text(body)
        return body

    def request(self, request: Any) -> Any:
        """A vcrpy request (already a copy) with credentials dropped and secrets masked."""
        request.uri = self.text(redact_url(request.uri))
        for name in list(request.headers):
            if name.lower() in _SECRET_HEADERS:
                del request.headers[name]
            elif isinstance(request.headers[name], str):
                request.headers[name] = self.text(request.headers[name])
        request.body = self.body(request.body)
        return request

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        """A vcrpy response dict (already a copy) with secrets masked and lengths fixed."""
        headers = {
            name: [self.text(str(v)) for v in values]
            for name, values in response.get("headers", {}).items()
            if name.lower() not in _DROPPED_RESPONSE_HEADERS
        }
        body = response.get("body") or {}
        before = body.get("string")
        after = self.body(before)
        if after is not before and isinstance(after, (bytes, str)):
            body["string"] = after
            size = len(after.encode("utf-8") if isinstance(after, str) else after)
            # Replay serves the stored length; a stale one truncates or stalls the client.
            for name in headers:
                if name.lower() == "content-length":
                    headers[name] = [str(size)]
        response["headers"] = headers
        return response


class ReplayCassette(Cassette):
    """A cassette that answers repeats with the last recorded answer and explains misses."""

    def can_play_response_for(self, request: Any) -> bool:
        # Every request the cassette covers goes to play_response, which explains a miss;
        # vcrpy's default would raise a generic error that the suite tags `read-shape`.
        return bool(self.filter_request(request)) and self.rewound

    def play_response(self, request: Any) -> Any:
        matches = list(self._responses(request))
        if not matches:
            raise self._miss(request)
        for index, response in matches:
            if self.play_counts[index] == 0:
                self.play_counts[index] += 1
                return response
        # Asked more often than recorded: the latest answer is the best guess of the source.
        index, response = matches[-1]
        self.play_counts[index] += 1
        return response

    def _miss(self, request: Any) -> SuiteFailure:
        shown = self.filter_request(request)
        closest = self.find_requests_with_most_matches(request)
        near = ""
        if closest:
            stored, _, failed = closest[0]
            names = [name for name, _ in failed]
            differs = f"{' and '.join(names)} differ{'s' if len(names) == 1 else ''}"
            near = f"; the closest recorded request is {stored.method} {stored.uri} ({differs})"
        return SuiteFailure(
            "simulator-miss",
            f"no recorded answer for {request.method} {shown.uri} in cassette "
            f"{self._path}{near}; {RECORD_HINT}",
        )


def _vcr_config(path: Path, scrubber: Scrubber, record_mode: RecordMode) -> dict[str, Any]:
    recorder = vcr.VCR(
        record_mode=record_mode,
        match_on=MATCH_ON,
        decode_compressed_response=True,
        before_record_request=scrubber.request,
        before_record_response=scrubber.response,
    )
    return recorder.get_merged_config(path=str(path))


@contextlib.contextmanager
def record_cassette(path: Path, config: Mapping[str, Any]) -> Iterator[Path]:
    """Record every HTTP exchange of the block to ``path``, secrets scrubbed.

    The file is replaced by what this run recorded, so stale exchanges cannot linger; a run
    that sends no request at all leaves an existing cassette as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    options = _vcr_config(path, Scrubber(config_secrets(config)), RecordMode.ALL)
    options["drop_unused_requests"] = True
    with Cassette.use(**options):
        yield path


@contextlib.contextmanager
def replay_cassette(path: Path, config: Mapping[str, Any]) -> Iterator[Path]:
    """Answer every HTTP request of the block from the cassette at ``path``; nothing else."""
    options = _vcr_config(path, Scrubber(config_secrets(config)), RecordMode.NONE)
    with ReplayCassette.use(**options):
        yield path
