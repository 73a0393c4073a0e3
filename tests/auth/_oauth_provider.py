"""A tiny OAuth 2 provider on 127.0.0.1: authorization code with PKCE, auto-approving.

``GET /authorize`` checks the request and sends the browser straight back to the redirect URI
with a one-time code; ``POST /token`` trades that code for tokens only when the client
credentials, the redirect URI and the PKCE verifier all match.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

CLIENT_ID = "fake-client-id"
CLIENT_SECRET = "PLANTED-client-secret-4e7a"
REFRESH_TOKEN = "PLANTED-refresh-token-90bd"


@dataclass
class ProviderLog:
    """What the provider saw, for assertions."""

    authorize: list[dict[str, str]] = field(default_factory=list)
    token: list[dict[str, str]] = field(default_factory=list)
    token_answers: list[int] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    log: ProviderLog
    codes: dict[str, tuple[str, str]]
    lock: threading.Lock


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(url.query).items()}
        self.server.log.authorize.append(q)
        ok = (
            url.path == "/authorize"
            and q.get("response_type") == "code"
            and q.get("client_id") == CLIENT_ID
            and q.get("code_challenge_method") == "S256"
            and q.get("code_challenge")
            and q.get("state")
            and q.get("redirect_uri", "").startswith("http://127.0.0.1:")
        )
        if not ok:
            self._json(400, {"error": "invalid_request"})
            return
        code = secrets.token_urlsafe(16)
        with self.server.lock:
            self.server.codes[code] = (q["code_challenge"], q["redirect_uri"])
        back = q["redirect_uri"] + "?" + urlencode({"code": code, "state": q["state"]})
        self.send_response(302)
        self.send_header("Location", back)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.server.log.token.append(form)
        with self.server.lock:
            challenge, redirect_uri = self.server.codes.pop(form.get("code", ""), ("", ""))
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode()).digest()
        computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        ok = (
            urlsplit(self.path).path == "/token"
            and form.get("grant_type") == "authorization_code"
            and challenge
            and computed == challenge
            and form.get("redirect_uri") == redirect_uri
            and form.get("client_id") == CLIENT_ID
            and form.get("client_secret") == CLIENT_SECRET
        )
        status = 200 if ok else 400
        self.server.log.token_answers.append(status)
        if not ok:
            self._json(400, {"error": "invalid_grant"})
            return
        self._json(
            200,
            {
                "access_token": secrets.token_urlsafe(16),
                "refresh_token": REFRESH_TOKEN,
                "token_type": "bearer",
                "expires_in": 3600,
            },
        )


@dataclass
class FakeProvider:
    """A running provider and its log."""

    url: str
    log: ProviderLog

    @property
    def authorize_url(self) -> str:
        return self.url + "/authorize"

    @property
    def token_url(self) -> str:
        return self.url + "/token"


@contextmanager
def run_provider() -> Iterator[FakeProvider]:
    """Serve the fake provider on a free port for the block."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.log, server.codes, server.lock = ProviderLog(), {}, threading.Lock()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield FakeProvider(f"http://127.0.0.1:{server.server_address[1]}", server.log)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
