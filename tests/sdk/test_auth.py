from __future__ import annotations

import base64

import pytest
from pydantic import SecretStr

from skillpack.errors import AuthError, ConfigError, SourceError
from skillpack.sdk.auth import (
    ApiKeyAuth,
    BasicAuth,
    BearerAuth,
    OAuth2ClientCredentialsAuth,
    OAuth2RefreshTokenAuth,
    auth_from_options,
)
from skillpack.sdk.http import RestClient
from tests.sdk._servers import Reply, servers

TOKEN = "tok-8a7b6c5d4e"
PASSWORD = "pw-0f1e2d3c"
CLIENT_SECRET = "cs-5a5b5c5d"
REFRESH = "rt-1111aaaa"


@pytest.fixture
def serve():
    with servers() as start:
        yield start


def _echo(seen):
    return Reply(200, {"ok": True})


def test_bearer_auth_sets_authorization_header(serve):
    api = serve(_echo)
    with RestClient(api.url, auth=BearerAuth(TOKEN)) as client:
        client.get("/x")
    assert api.seen[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_basic_auth_sends_encoded_credentials(serve):
    api = serve(_echo)
    with RestClient(api.url, auth=BasicAuth("ada", PASSWORD)) as client:
        client.get("/x")
    scheme, encoded = api.seen[0].headers["Authorization"].split(" ")
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode() == f"ada:{PASSWORD}"


def test_api_key_in_default_header(serve):
    api = serve(_echo)
    with RestClient(api.url, auth=ApiKeyAuth(TOKEN)) as client:
        client.get("/x")
    assert api.seen[0].headers["X-Api-Key"] == TOKEN
    assert "Authorization" not in api.seen[0].headers


def test_api_key_in_named_header_with_prefix(serve):
    api = serve(_echo)
    auth = ApiKeyAuth(TOKEN, name="Authorization", prefix="Token ")
    with RestClient(api.url, auth=auth) as client:
        client.get("/x")
    assert api.seen[0].headers["Authorization"] == f"Token {TOKEN}"


def test_api_key_in_query_keeps_other_params(serve):
    api = serve(_echo)
    with RestClient(api.url, auth=ApiKeyAuth(TOKEN, name="key", location="query")) as client:
        client.get("/x", params={"page": "3"})
    assert api.seen[0].query == {"page": "3", "key": TOKEN}
    assert "X-Api-Key" not in api.seen[0].headers


def test_api_key_rejects_unknown_location():
    with pytest.raises(ConfigError) as info:
        ApiKeyAuth(TOKEN, location="cookie")
    assert "`header`" in str(info.value) and "`query`" in str(info.value)


def test_empty_secret_is_a_config_error_naming_it():
    with pytest.raises(ConfigError) as info:
        BearerAuth("")
    assert "`token`" in str(info.value)


def test_repr_and_str_never_show_secrets():
    helpers = [
        BearerAuth(TOKEN),
        BasicAuth("ada", PASSWORD),
        ApiKeyAuth(TOKEN, location="query"),
        OAuth2RefreshTokenAuth("https://idp.example/token", "cid", CLIENT_SECRET, REFRESH),
    ]
    encoded = base64.b64encode(f"ada:{PASSWORD}".encode()).decode()
    for helper in helpers:
        for text in (repr(helper), str(helper)):
            for secret in (TOKEN, PASSWORD, CLIENT_SECRET, REFRESH, encoded):
                assert secret not in text
            assert type(helper).__name__ in text
    assert "username='ada'" in repr(helpers[1])


def test_secret_values_list_what_must_be_masked():
    assert BearerAuth(TOKEN).secret_values() == {TOKEN}
    assert PASSWORD in BasicAuth("ada", PASSWORD).secret_values()
    oauth = OAuth2RefreshTokenAuth("https://idp.example/token", "cid", CLIENT_SECRET, REFRESH)
    assert oauth.secret_values() == {CLIENT_SECRET, REFRESH}


class _TokenEndpoint:
    """A local OAuth token endpoint issuing tok-1, tok-2, ... and optionally rotating."""

    def __init__(self, *, expires_in=3600, rotate=False, refuse=False):
        self.expires_in = expires_in
        self.rotate = rotate
        self.refuse = refuse
        self.forms: list[dict[str, str]] = []

    def __call__(self, seen):
        form = seen.form()
        self.forms.append(form)
        if self.refuse:
            return Reply(400, {"error": "invalid_grant", "echo": form.get("refresh_token")})
        n = len(self.forms)
        body = {"access_token": f"tok-{n}", "token_type": "bearer"}
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        if self.rotate:
            body["refresh_token"] = f"rt-rotated-{n}"
        return Reply(200, body)


def _oauth(token_url, **kw):
    return OAuth2RefreshTokenAuth(
        token_url, "client-1", CLIENT_SECRET, REFRESH, scopes=["read", "write"], **kw
    )


def test_oauth_fetches_a_token_on_first_use_and_reuses_it(serve):
    endpoint = _TokenEndpoint()
    idp = serve(endpoint)
    api = serve(_echo)
    auth = _oauth(idp.url + "/token")
    assert auth.access_token is None
    with RestClient(api.url, auth=auth) as client:
        client.get("/a")
        client.get("/b")
    assert endpoint.forms == [
        {
            "grant_type": "refresh_token",
            "refresh_token": REFRESH,
            "client_id": "client-1",
            "client_secret": CLIENT_SECRET,
            "scope": "read write",
        }
    ]
    assert [s.headers["Authorization"] for s in api.seen] == ["Bearer tok-1", "Bearer tok-1"]


def test_oauth_refreshes_when_the_token_expires(serve):
    endpoint = _TokenEndpoint(expires_in=600)
    idp = serve(endpoint)
    api = serve(_echo)
    now = [1000.0]
    auth = _oauth(idp.url + "/token", clock=lambda: now[0])
    with RestClient(api.url, auth=auth) as client:
        client.get("/a")
        now[0] += 500  # still valid
        client.get("/b")
        now[0] += 100  # inside the safety margin before expiry
        client.get("/c")
    assert len(endpoint.forms) == 2
    assert [s.headers["Authorization"] for s in api.seen] == [
        "Bearer tok-1",
        "Bearer tok-1",
        "Bearer tok-2",
    ]


def test_oauth_keeps_a_rotated_refresh_token(serve):
    endpoint = _TokenEndpoint(expires_in=60, rotate=True)
    idp = serve(endpoint)
    api = serve(_echo)
    now = [0.0]
    auth = _oauth(idp.url + "/token", clock=lambda: now[0])
    with RestClient(api.url, auth=auth) as client:
        client.get("/a")
        now[0] += 3600
        client.get("/b")
    assert [f["refresh_token"] for f in endpoint.forms] == [REFRESH, "rt-rotated-1"]
    assert isinstance(auth.refresh_token, SecretStr)
    assert auth.refresh_token.get_secret_value() == "rt-rotated-2"


def test_oauth_refreshes_once_on_401_and_resends(serve):
    endpoint = _TokenEndpoint()
    idp = serve(endpoint)
    # the API has revoked tok-1 before it expired
    api = serve(
        lambda seen: (
            Reply(200, {"ok": 1})
            if seen.headers.get("Authorization") == "Bearer tok-2"
            else Reply(401, {"error": "revoked"})
        )
    )
    with RestClient(api.url, auth=_oauth(idp.url + "/token")) as client:
        assert client.get_json("/data", params={"q": "1"}) == {"ok": 1}
    assert len(endpoint.forms) == 2
    assert [(s.headers["Authorization"], s.target) for s in api.seen] == [
        ("Bearer tok-1", "/data?q=1"),
        ("Bearer tok-2", "/data?q=1"),
    ]


def test_oauth_persistent_401_is_an_auth_error_after_one_refresh(serve):
    endpoint = _TokenEndpoint()
    idp = serve(endpoint)
    api = serve(lambda seen: Reply(401, {"error": "nope"}))
    with (
        RestClient(api.url, auth=_oauth(idp.url + "/token")) as client,
        pytest.raises(AuthError) as info,
    ):
        client.get("/data")
    assert info.value.status == 401
    assert len(endpoint.forms) == 2
    assert len(api.seen) == 2
    assert "tok-2" not in str(info.value)


def test_oauth_refused_refresh_is_an_auth_error_without_secrets(serve):
    idp = serve(_TokenEndpoint(refuse=True))
    api = serve(_echo)
    with (
        RestClient(api.url, auth=_oauth(idp.url + "/token")) as client,
        pytest.raises(AuthError) as info,
    ):
        client.get("/data")
    err = info.value
    assert err.code == "oauth-refresh-failed"
    assert "invalid_grant" in str(err)
    assert "refresh token" in err.hint
    for secret in (REFRESH, CLIENT_SECRET):
        assert secret not in str(err) and secret not in err.hint
    assert api.seen == []


def test_oauth_token_endpoint_outage_is_a_source_error(serve):
    idp = serve(lambda seen: Reply(503, "down"))
    api = serve(_echo)
    auth = _oauth(idp.url + "/token")
    with RestClient(api.url, auth=auth) as client, pytest.raises(SourceError) as info:
        client.get("/data")
    assert info.value.code == "oauth-unavailable" and info.value.status == 503
    auth.close()


def test_client_credentials_grant_sends_no_refresh_token_and_renews_on_401(serve):
    endpoint = _TokenEndpoint()
    idp = serve(endpoint)
    answers = iter([Reply(401, {"error": "expired"}), Reply(200, {"ok": True})])
    api = serve(lambda seen: next(answers))
    auth = OAuth2ClientCredentialsAuth(idp.url + "/token", "client-1", CLIENT_SECRET, "read")
    with RestClient(api.url, auth=auth, max_retries=0) as client:
        assert client.get_json("/a") == {"ok": True}
    grant = {"grant_type": "client_credentials", "client_id": "client-1"}
    assert endpoint.forms == [{**grant, "client_secret": CLIENT_SECRET, "scope": "read"}] * 2
    assert [s.headers["Authorization"] for s in api.seen] == ["Bearer tok-1", "Bearer tok-2"]
    # the grant holds no refresh token: nothing but the client secret and tokens to mask
    assert auth.secret_values() == {CLIENT_SECRET, "tok-2"}


def test_client_credentials_refused_says_so_without_the_secret(serve):
    idp = serve(_TokenEndpoint(refuse=True))
    api = serve(_echo)
    auth = OAuth2ClientCredentialsAuth(idp.url + "/token", "client-1", CLIENT_SECRET)
    with RestClient(api.url, auth=auth) as client, pytest.raises(AuthError) as info:
        client.get("/data")
    assert "refused the client credentials" in str(info.value)
    assert "client_secret" in info.value.hint and CLIENT_SECRET not in str(info.value)
    assert api.seen == []


def test_oauth_client_credentials_as_basic_header(serve):
    endpoint = _TokenEndpoint()
    idp = serve(endpoint)
    api = serve(_echo)
    auth = _oauth(idp.url + "/token", client_auth="basic")
    with RestClient(api.url, auth=auth) as client:
        client.get("/a")
    assert "client_secret" not in endpoint.forms[0]
    basic = idp.seen[0].headers["Authorization"].split(" ")[1]
    assert base64.b64decode(basic).decode() == f"client-1:{CLIENT_SECRET}"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"token": TOKEN}, BearerAuth),
        ({"access_token": TOKEN, "base_url": "https://x"}, BearerAuth),
        ({"api_key": TOKEN}, ApiKeyAuth),
        ({"username": "ada", "password": PASSWORD}, BasicAuth),
        (
            {
                "client_id": "c",
                "client_secret": CLIENT_SECRET,
                "refresh_token": REFRESH,
                "token_url": "https://idp/token",
            },
            OAuth2RefreshTokenAuth,
        ),
    ],
)
def test_auth_from_options_infers_the_kind(options, expected):
    assert type(auth_from_options(options)) is expected


def test_auth_from_options_without_credentials_is_none():
    assert auth_from_options({"base_url": "https://x"}) is None


def test_auth_from_options_api_key_placement(serve):
    api = serve(_echo)
    auth = auth_from_options(
        {"api_key": TOKEN, "api_key_name": "apikey", "api_key_location": "query"}
    )
    with RestClient(api.url, auth=auth) as client:
        client.get("/x")
    assert api.seen[0].query == {"apikey": TOKEN}


def test_auth_from_options_kind_wins_over_inference():
    auth = auth_from_options({"token": TOKEN, "username": "u", "password": PASSWORD}, "basic")
    assert isinstance(auth, BasicAuth)
    forced = auth_from_options({"auth_type": "api_key", "api_key": TOKEN, "token": "other"})
    assert isinstance(forced, ApiKeyAuth)


@pytest.mark.parametrize(
    ("options", "kind", "missing"),
    [
        ({"username": "ada"}, None, "`password`"),
        ({"password": PASSWORD}, None, "`username`"),
        ({"refresh_token": REFRESH, "client_id": "c", "client_secret": "s"}, None, "`token_url`"),
        ({"token_url": "https://idp", "refresh_token": REFRESH}, None, "`client_id`"),
        ({}, "bearer", "`token`"),
        ({"api_key": ""}, "api_key", "`api_key`"),
    ],
)
def test_auth_from_options_names_the_missing_option(options, kind, missing):
    with pytest.raises(ConfigError) as info:
        auth_from_options(options, kind)
    assert missing in str(info.value)
    assert info.value.code == "missing-option"
    assert REFRESH not in str(info.value) and PASSWORD not in str(info.value)


def test_auth_from_options_unknown_kind_lists_known_ones():
    with pytest.raises(ConfigError) as info:
        auth_from_options({"token": TOKEN}, "kerberos")
    assert "`kerberos`" in str(info.value) and "`bearer`" in str(info.value)
