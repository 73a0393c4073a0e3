"""Secrets planted in every part of a request never come back through an echoing server.

The server repeats the whole request (target, headers, body) in its error body, raw and
JSON-encoded, the way many APIs quote a bad request. Whatever the client builds from that
answer (the exception, its repr and hint, every log record down to urllib3's DEBUG lines,
the client's repr) must hold none of the secrets in any spelling.
"""

from __future__ import annotations

import base64
import json
import logging
from urllib.parse import quote, quote_plus

import pytest

from skillpack.errors import SkillpackError
from skillpack.sdk.auth import BearerAuth
from skillpack.sdk.http import RestClient
from skillpack.sdk.redaction import secret_forms
from tests.sdk._servers import Reply, servers

QUERY_KEY = "qk-7Hc2Lw9Zp1"
BODY_PASSWORD = 'pw-"9x/Y+&=ü-Rt4'
HEADER_KEY = "hk-Q8v3Mn6Tb0"
TOKEN = "tok-Z4r8Kd1Wq7"
URL_PASSWORD = "up-N2b7Xs5Ve3"
CONFIGURED = "cf-L6t1Hy9Pa8"
ALL = (QUERY_KEY, BODY_PASSWORD, HEADER_KEY, TOKEN, URL_PASSWORD, CONFIGURED)


def _echo(status: int):
    def handler(seen):
        echoed = {
            "target": seen.target,
            "headers": seen.headers,
            "body": seen.body.decode("utf-8", "replace"),
        }
        # the raw request first, then the same as JSON: two spellings of every secret
        raw = f"{seen.method} {seen.target} {seen.headers} {echoed['body']} "
        return Reply(status, raw + json.dumps(echoed), {"Content-Type": "text/plain"})

    return handler


def _spellings() -> set[str]:
    forms = set()
    for secret in ALL:
        forms |= secret_forms(secret)
    basic = base64.b64encode(f"u:{URL_PASSWORD}".encode()).decode()
    forms |= {basic, quote(BODY_PASSWORD), quote_plus(BODY_PASSWORD)}
    return {f for f in forms if len(f) >= 6}


def _leaks(text: str) -> list[str]:
    return sorted(f for f in _spellings() if f in text)


@pytest.mark.parametrize("status", [400, 401, 404, 500])
@pytest.mark.parametrize("position", ["query", "body", "header", "bearer", "userinfo", "config"])
def test_no_secret_in_errors_logs_or_repr(status, position, caplog):
    caplog.set_level(logging.DEBUG)
    with servers() as start:
        srv = start(_echo(status))
        host = srv.url.removeprefix("http://")
        base = f"http://u:{URL_PASSWORD}@{host}" if position == "userinfo" else srv.url
        client = RestClient(
            base,
            auth=BearerAuth(TOKEN) if position == "bearer" else None,
            secrets=[CONFIGURED],
            max_retries=1,
            sleep=lambda _s: None,
        )
        kwargs = {
            "query": {"params": {"api_key": QUERY_KEY, "page": "2"}},
            "body": {"json": {"password": BODY_PASSWORD, "name": "x"}},
            "header": {"headers": {"X-Api-Key": HEADER_KEY}},
            "bearer": {},
            "userinfo": {},
            "config": {"params": {"q": CONFIGURED}},
        }[position]
        with client, pytest.raises(SkillpackError) as info:
            client.post("/echo", **kwargs)
        sent = srv.seen[0]
    # the secret really went out (so the echo held it) ...
    wire = f"{sent.target} {sent.headers} {sent.body.decode()}"
    assert any(form in wire for form in _spellings()), position
    # ... and came back nowhere
    exc = info.value
    assert _leaks(str(exc)) == []
    assert _leaks(repr(exc)) == []
    assert _leaks(exc.hint) == []
    assert _leaks(caplog.text) == []
    assert _leaks(" ".join(str(r.args) for r in caplog.records)) == []
    assert _leaks(repr(client)) == []
    assert "answered" in str(exc)


def test_urllib3_debug_lines_are_masked_but_kept(caplog):
    caplog.set_level(logging.DEBUG)
    with servers() as start:
        srv = start(lambda seen: Reply(200, {"ok": True}))
        with RestClient(srv.url) as client:
            client.get_json("/x", params={"api_key": QUERY_KEY, "page": "3"})
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("urllib3")]
    assert any("page=3" in line for line in lines), lines
    assert _leaks("\n".join(lines)) == []


def test_basic_form_of_a_password_in_base_url_is_masked():
    forms = secret_forms(URL_PASSWORD)
    assert quote(URL_PASSWORD, safe="") in forms
    assert base64.b64encode(URL_PASSWORD.encode()).decode() in forms
    with servers() as start:
        srv = start(_echo(403))
        host = srv.url.removeprefix("http://")
        client = RestClient(f"http://u:{URL_PASSWORD}@{host}", max_retries=0)
        with client, pytest.raises(SkillpackError) as info:
            client.get("/x")
        assert srv.seen[0].headers["Authorization"].startswith("Basic ")
    assert "Basic" in str(info.value) or "Authorization" in str(info.value)
    assert _leaks(str(info.value)) == []
