"""The form's OAuth 2 authorization-code flow (PKCE, state) against a local fake provider."""

from __future__ import annotations

import json
import logging
import stat
from urllib.parse import parse_qs, urlsplit

import requests

from skillpack.auth._credentials import load_spec
from skillpack.auth.form import FormServer
from tests.auth._oauth_provider import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN
from tests.auth.conftest import form_token


def _start(form: FormServer, **values: str) -> requests.Response:
    token = form_token(requests.get(form.url, timeout=10).text)
    data = {"form_token": token, **{f"field:{k}": v for k, v in values.items()}}
    return requests.post(
        form.url + "submit",
        data=data,
        headers={"Origin": form.origin},
        allow_redirects=False,
        timeout=10,
    )


def _to_callback(authorize: str) -> str:
    """Follow the provider's authorize URL; return the callback URL it sends the browser to."""
    reply = requests.get(authorize, allow_redirects=False, timeout=10)
    assert reply.status_code == 302, reply.text
    return reply.headers["Location"]


def test_sign_in_stores_the_refresh_token(oauth_paths, provider, caplog):
    caplog.set_level(logging.DEBUG)
    with FormServer(oauth_paths, load_spec(oauth_paths)) as form:
        started = _start(form, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, region="us")
        assert started.status_code == 303
        authorize = started.headers["Location"]
        query = {k: v[-1] for k, v in parse_qs(urlsplit(authorize).query).items()}
        callback = _to_callback(authorize)
        done = requests.get(callback, timeout=10)
        result = form.wait(timeout=10)
    assert authorize.startswith(provider.authorize_url + "?")
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["redirect_uri"] == form.redirect_uri
    assert query["scope"] == "read offline" and len(query["state"]) >= 32
    # The provider only answers 200 when the verifier matches the challenge.
    assert provider.log.token_answers == [200]
    assert done.status_code == 200 and "Saved" in done.text
    assert json.loads(oauth_paths.dev_config.read_text()) == {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "region": "us",
        "refresh_token": REFRESH_TOKEN,
    }
    assert stat.S_IMODE(oauth_paths.dev_config.stat().st_mode) == 0o600
    assert result.secret_fields_set == ["client_secret", "refresh_token"] and result.complete
    for secret in (CLIENT_SECRET, REFRESH_TOKEN):
        assert secret not in done.text and secret not in caplog.text
        assert secret not in authorize


def test_callback_state_is_checked_and_single_use(oauth_paths, provider):
    with FormServer(oauth_paths, load_spec(oauth_paths)) as form:
        started = _start(form, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        callback = _to_callback(started.headers["Location"])
        forged = callback.replace("state=", "state=forged")
        refused = requests.get(forged, timeout=10)
        assert refused.status_code == 403 and not oauth_paths.dev_config.exists()
        assert requests.get(callback, timeout=10).status_code == 200
        replayed = requests.get(callback, timeout=10)
    assert replayed.status_code == 409
    assert provider.log.token_answers == [200]


def test_refused_code_exchange_writes_nothing_and_shows_no_secret(oauth_paths, provider):
    wrong = "PLANTED-wrong-client-secret"
    with FormServer(oauth_paths, load_spec(oauth_paths)) as form:
        started = _start(form, client_id=CLIENT_ID, client_secret=wrong)
        failed = requests.get(_to_callback(started.headers["Location"]), timeout=10)
        # The person can start again from the form.
        again = requests.get(form.url, timeout=10)
    assert failed.status_code == 502
    assert "refused the authorization code (invalid_grant)" in failed.text
    assert wrong not in failed.text
    assert provider.log.token_answers == [400]
    assert not oauth_paths.dev_config.exists()
    assert again.status_code == 200 and "form_token" in again.text


def test_provider_denial_is_shown_and_nothing_is_written(oauth_paths, provider):
    with FormServer(oauth_paths, load_spec(oauth_paths)) as form:
        started = _start(form, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        state = parse_qs(urlsplit(started.headers["Location"]).query)["state"][0]
        denied = requests.get(f"{form.redirect_uri}?error=access_denied&state={state}", timeout=10)
    assert denied.status_code == 400 and "access_denied" in denied.text
    assert provider.log.token == []
    assert not oauth_paths.dev_config.exists()


def test_a_typed_in_refresh_token_is_not_taken(oauth_paths, provider):
    with FormServer(oauth_paths, load_spec(oauth_paths)) as form:
        started = _start(
            form,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            refresh_token="PLANTED-typed-refresh",
        )
        requests.get(_to_callback(started.headers["Location"]), timeout=10)
        form.wait(timeout=10)
    assert json.loads(oauth_paths.dev_config.read_text())["refresh_token"] == REFRESH_TOKEN
