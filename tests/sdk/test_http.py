from __future__ import annotations

import email.utils
import logging
import time

import pytest
import requests

from skillpack.errors import AuthError, ConfigError, SourceError
from skillpack.sdk.auth import ApiKeyAuth, BearerAuth
from skillpack.sdk.http import RestClient, parse_retry_after
from tests.sdk._servers import Reply, Sleeps, refused_url, servers, silent_server

TOKEN = "tok-3f9c1d2e7b"


@pytest.fixture
def serve():
    with servers() as start:
        yield start


def _sequence(*replies: Reply):
    """A handler answering with ``replies`` in order, then repeating the last one."""
    queue = list(replies)

    def handler(seen):
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handler


def test_relative_paths_join_base_url_and_absolute_urls_pass_through(serve):
    api = serve(lambda seen: Reply(200, {"path": seen.path}))
    other = serve(lambda seen: Reply(200, {"other": seen.target}))
    with RestClient(api.url + "/api/v1/") as client:
        assert client.get_json("/items") == {"path": "/api/v1/items"}
        assert client.get_json("items") == {"path": "/api/v1/items"}
        assert client.get_json(other.url + "/next?page=2") == {"other": "/next?page=2"}


def test_default_headers_params_and_json_body_are_sent(serve):
    api = serve(lambda seen: Reply(201, {"ok": True}))
    with RestClient(api.url, headers={"X-Team": "data"}) as client:
        resp = client.post("/things", params={"dry": "1"}, json={"a": 1}, headers={"X-Req": "7"})
    assert resp.status_code == 201
    seen = api.seen[0]
    assert seen.method == "POST"
    assert seen.query == {"dry": "1"}
    assert seen.json() == {"a": 1}
    assert seen.headers["X-Team"] == "data"
    assert seen.headers["X-Req"] == "7"
    assert seen.headers["User-Agent"].startswith("connector-skillpack")


@pytest.mark.parametrize("bad", [None, 0, -1, float("inf"), "30"])
def test_unbounded_or_invalid_timeout_is_rejected(bad):
    with pytest.raises(ConfigError) as info:
        RestClient("http://127.0.0.1:1", timeout=bad)
    assert info.value.code == "bad-timeout"


def test_relative_base_url_is_rejected_with_hint():
    with pytest.raises(ConfigError) as info:
        RestClient("api.example.com/v1")
    assert info.value.code == "bad-url"
    assert "https://" in info.value.hint


def test_retry_after_seconds_is_honoured(serve):
    api = serve(
        _sequence(
            Reply(429, "slow down", {"Retry-After": "7"}),
            Reply(503, "busy", {"Retry-After": "3"}),
            Reply(200, {"ok": 1}),
        )
    )
    sleeps = Sleeps()
    with RestClient(api.url, sleep=sleeps) as client:
        assert client.get_json("/x") == {"ok": 1}
    assert sleeps == [7.0, 3.0]
    assert len(api.seen) == 3


def test_retry_after_http_date_is_honoured(serve):
    when = email.utils.formatdate(time.time() + 120, usegmt=True)
    api = serve(_sequence(Reply(429, "", {"Retry-After": when}), Reply(200, {"ok": 1})))
    sleeps = Sleeps()
    with RestClient(api.url, sleep=sleeps, max_backoff=600, max_retry_after=600) as client:
        client.get("/x")
    assert len(sleeps) == 1
    # the date has one-second resolution and a little time passes before it is read
    assert 115 <= sleeps[0] <= 120


def test_retry_after_is_capped_by_max_backoff(serve):
    api = serve(_sequence(Reply(503, "", {"Retry-After": "3600"}), Reply(200, {})))
    sleeps = Sleeps()
    with RestClient(api.url, sleep=sleeps, max_backoff=10, max_retry_after=3600) as client:
        client.get("/x")
    assert sleeps == [10]


def test_retry_after_over_the_cap_is_not_waited_for_and_is_reported(serve):
    api = serve(_sequence(Reply(429, "slow down", {"Retry-After": "100000"}), Reply(200, {})))
    sleeps = Sleeps()
    with RestClient(api.url, sleep=sleeps) as client, pytest.raises(SourceError) as info:
        client.get("/x")
    assert sleeps == [] and len(api.seen) == 1
    assert info.value.code == "rate-limited"
    assert "asked to wait 100000s (Retry-After)" in str(info.value)
    assert "max_retry_after (30s)" in str(info.value)


def test_parse_retry_after_forms():
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after(" 0 ") == 0.0
    assert parse_retry_after("-5") == 0.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    future = email.utils.formatdate(1_000_060, usegmt=True)
    assert parse_retry_after(future, now=lambda: 1_000_000) == 60.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_backoff_grows_exponentially_with_jitter_without_retry_after(serve):
    api = serve(_sequence(Reply(502), Reply(502), Reply(502), Reply(200, {})))
    sleeps = Sleeps()
    with RestClient(api.url, sleep=sleeps, backoff_factor=1.0) as client:
        client.get("/x")
    assert len(sleeps) == 3
    for attempt, delay in enumerate(sleeps):
        ceiling = 2**attempt
        assert ceiling / 2 <= delay <= ceiling


def test_backoff_is_jittered_so_clients_spread_out():
    client = RestClient("http://127.0.0.1:1", backoff_factor=1.0)
    delays = {client._backoff(3) for _ in range(20)}
    assert len(delays) > 1
    assert all(4 <= d <= 8 for d in delays)


def test_server_error_after_retries_is_a_source_error(serve):
    api = serve(lambda seen: Reply(500, "boom"))
    sleeps = Sleeps()
    with (
        RestClient(api.url, sleep=sleeps, max_retries=2) as client,
        pytest.raises(SourceError) as info,
    ):
        client.get("/x")
    assert info.value.status == 500
    assert info.value.code == "server-error"
    assert "3 attempt" in str(info.value)
    assert len(api.seen) == 3
    assert len(sleeps) == 2


def test_rate_limit_after_retries_is_reported_as_rate_limited(serve):
    api = serve(lambda seen: Reply(429, "", {"Retry-After": "1"}))
    with (
        RestClient(api.url, sleep=Sleeps(), max_retries=1) as client,
        pytest.raises(SourceError) as info,
    ):
        client.get("/x")
    assert info.value.code == "rate-limited"
    assert info.value.status == 429


def test_401_is_auth_error_with_redacted_url_and_no_token(serve):
    # the server echoes the credentials back, as some do in error bodies
    api = serve(lambda seen: Reply(401, {"error": "bad key", "echo": seen.query.get("api_key")}))
    auth = ApiKeyAuth(TOKEN, name="api_key", location="query")
    with RestClient(api.url, auth=auth) as client, pytest.raises(AuthError) as info:
        client.get("/me", params={"page": "2"})
    err = info.value
    assert err.status == 401
    assert err.code == "unauthorized"
    assert "credentials" in err.hint
    assert "/me?" in str(err) and "api_key=***" in str(err) and "page=2" in str(err)
    assert TOKEN not in str(err) and TOKEN not in err.hint
    assert len(api.seen) == 1  # 401 is not retried


def test_403_is_auth_error_with_permission_hint(serve):
    api = serve(lambda seen: Reply(403, {"message": "missing scope crm.read"}))
    with RestClient(api.url, auth=BearerAuth(TOKEN)) as client, pytest.raises(AuthError) as info:
        client.get("/contacts")
    assert info.value.status == 403
    assert "scope" in info.value.hint and "permission" in info.value.hint
    assert "missing scope crm.read" in str(info.value)
    assert TOKEN not in str(info.value)


def test_404_is_source_error_with_url_and_first_200_chars_of_body(serve):
    body = "no such thing " + "x" * 500
    api = serve(lambda seen: Reply(404, body))
    with RestClient(api.url, auth=BearerAuth(TOKEN)) as client, pytest.raises(SourceError) as info:
        client.get("/nope", params={"access_token": TOKEN, "q": "a"})
    err = info.value
    assert err.status == 404 and err.code == "not-found"
    assert f"{api.url}/nope?access_token=***&q=a" in str(err)
    assert ("no such thing " + "x" * 186) in str(err)
    assert "x" * 187 not in str(err)
    assert TOKEN not in str(err)
    assert len(api.seen) == 1


def test_client_error_body_secret_fields_are_masked(serve):
    api = serve(lambda seen: Reply(400, {"error": "invalid", "password": "hunter2-pw"}))
    with RestClient(api.url) as client, pytest.raises(SourceError) as info:
        client.post("/login", json={})
    assert info.value.code == "client-error"
    assert "hunter2-pw" not in str(info.value)
    assert '"password": "***"' in str(info.value)


def test_timeout_becomes_source_error_after_retries():
    sleeps = Sleeps()
    with (
        silent_server() as url,
        RestClient(url, timeout=0.2, max_retries=1, sleep=sleeps) as client,
        pytest.raises(SourceError) as info,
    ):
        client.get("/slow")
    assert info.value.code == "timeout"
    assert "timeout" in info.value.hint
    assert len(sleeps) == 1


def test_connection_refused_becomes_unreachable_after_retries():
    sleeps = Sleeps()
    url = refused_url()
    with RestClient(url, max_retries=2, sleep=sleeps) as client, pytest.raises(SourceError) as info:
        client.get("/x", params={"token": TOKEN})
    assert info.value.code == "unreachable"
    assert "base_url" in info.value.hint
    assert len(sleeps) == 2
    assert TOKEN not in str(info.value)
    # the requests exception, whose text holds the full URL, is not chained for display
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_bad_json_is_reported(serve):
    api = serve(lambda seen: Reply(200, "<html>login</html>"))
    with RestClient(api.url) as client, pytest.raises(SourceError) as info:
        client.get_json("/x")
    assert info.value.code == "bad-json"
    assert "<html>login</html>" in str(info.value)


def test_empty_body_decodes_to_none(serve):
    api = serve(lambda seen: Reply(204))
    with RestClient(api.url) as client:
        assert client.get_json("/x") is None


def test_debug_logs_redact_urls_and_never_show_auth(serve, caplog):
    api = serve(lambda seen: Reply(200, {}))
    caplog.set_level(logging.DEBUG, logger="skillpack.sdk.http")
    with RestClient(api.url, auth=BearerAuth(TOKEN)) as client:
        client.get("/x", params={"api_key": TOKEN, "n": "1"})
    text = caplog.text
    assert "/x?api_key=***&n=1" in text
    assert TOKEN not in text
    assert "Bearer" not in text


def test_retry_logs_redact_urls(serve, caplog):
    api = serve(_sequence(Reply(503), Reply(200, {})))
    caplog.set_level(logging.INFO, logger="skillpack.sdk.http")
    with RestClient(api.url, sleep=Sleeps(), secrets=[TOKEN]) as client:
        client.get(api.url + f"/x?sig={TOKEN}")
    assert "retry 1/5" in caplog.text
    assert TOKEN not in caplog.text


class _TrackedSession(requests.Session):
    closes = 0

    def close(self) -> None:
        type(self).closes += 1
        super().close()


def test_close_leaves_a_caller_session_open(serve):
    api = serve(lambda seen: Reply(200, {}))
    session = _TrackedSession()
    with RestClient(api.url, session=session) as client:
        client.get("/x")
    assert _TrackedSession.closes == 0
    session.close()
    assert _TrackedSession.closes == 1


def test_repr_hides_credentials():
    client = RestClient("https://user:pw-9f8e7d@api.example.com", auth=BearerAuth(TOKEN))
    text = repr(client)
    assert TOKEN not in text and "pw-9f8e7d" not in text
    assert "api.example.com" in text


class _InMemoryAdapter(requests.adapters.BaseAdapter):
    """Answers like a simulator patched into requests: a Response with its body in memory
    and no raw stream behind it."""

    def __init__(self, status: int, body: bytes):
        super().__init__()
        self.status, self.body, self.sent = status, body, []

    def send(self, request, **kwargs):
        self.sent.append(request.url)
        resp = requests.Response()
        resp.status_code = self.status
        resp.headers["Content-Type"] = "application/json"
        resp._content = self.body
        resp.url, resp.request = request.url, request
        return resp

    def close(self):
        pass


def test_a_response_built_in_memory_is_read_without_a_stream():
    session = requests.Session()
    adapter = _InMemoryAdapter(200, b'{"items": [{"id": 1}]}')
    session.mount("https://", adapter)
    with RestClient("https://api.example.invalid/v1", session=session) as client:
        assert client.get_json("items") == {"items": [{"id": 1}]}
    assert adapter.sent == ["https://api.example.invalid/v1/items"]


def test_an_error_built_in_memory_is_reported_with_its_body():
    session = requests.Session()
    session.mount("https://", _InMemoryAdapter(404, b'{"error": "no such table"}'))
    with (
        RestClient("https://api.example.invalid", session=session) as client,
        pytest.raises(SourceError) as info,
    ):
        client.get_json("gone")
    assert "404" in str(info.value)
    assert "no such table" in str(info.value)
