from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr

from skillpack.sdk.redaction import (
    RedactingFilter,
    is_secret_key,
    redact_headers,
    redact_mapping,
    redact_text,
    redact_url,
    secret_values,
)

SECRET = "s3cr3t-value-42"


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "passwd",
        "secret",
        "token",
        "api_key",
        "apikey",
        "apiKey",
        "X-Api-Key",
        "key",
        "Authorization",
        "auth",
        "credentials",
        "client_secret",
        "clientSecret",
        "refresh_token",
        "access_token",
        "session",
        "sessionid",
        "Cookie",
        "Set-Cookie",
        "private_key",
        "X-Auth-Token",
        "db_password",
    ],
)
def test_secret_looking_names(name):
    assert is_secret_key(name)


@pytest.mark.parametrize(
    "name",
    [
        "username",
        "page",
        "cursor",
        "primary_keys",
        "token_url",
        "federated_token_file",
        "averageSessionDuration",
        "auth_type",
        "api_key_name",
        "author",
        "monkey",
        "base_url",
        "limit",
    ],
)
def test_ordinary_names(name):
    assert not is_secret_key(name)


def test_secret_values_by_name_nesting_and_explicit_keys():
    options = {
        "base_url": "https://api.example.com",
        "api_key": "k-123456",
        "pin": "abc",  # too short to mask safely
        "oauth": {"client_id": "cid-1", "client_secret": SecretStr("cs-98765")},
        "credentials": {"user": "ada", "pass": "pw-55555"},
        "project_code": "proj-77",
        "token": "",
    }
    found = secret_values(options, secret_keys=["project_code"])
    assert found == {"k-123456", "cs-98765", "pw-55555", "proj-77"}


def test_redact_text_masks_longest_first_and_encoded_forms():
    secrets = {"abcd", "abcdef12"}
    assert redact_text("x abcdef12 y abcd z", secrets) == "x *** y *** z"
    assert redact_text("q=a%2Fb%2Bc", {"a/b+c"}) == "q=***"
    assert redact_text("nothing here", secrets) == "nothing here"
    assert redact_text("keep", []) == "keep"


def test_redact_url_masks_secret_params_and_password():
    url = "https://ada:pw-1@api.example.com/v1/items?api_key=k1&page=2&Access-Token=t%2F1#x"
    assert (
        redact_url(url)
        == "https://ada:***@api.example.com/v1/items?api_key=***&page=2&Access-Token=***#x"
    )
    assert (
        redact_url("https://h/cb#access_token=abc&state=s")
        == "https://h/cb#access_token=***&state=s"
    )
    assert redact_url("https://ada@h/x") == "https://ada@h/x"
    plain = "https://h/x?page=2&q=a%20b&flag"
    assert redact_url(plain) == plain


def test_redact_headers():
    headers = {
        "Authorization": "Bearer abc",
        "Cookie": "sid=1",
        "Set-Cookie": "sid=2",
        "X-Api-Key": "k",
        "X-Custom-Token": "t",
        "Accept": "application/json",
    }
    assert redact_headers(headers) == {
        "Authorization": "***",
        "Cookie": "***",
        "Set-Cookie": "***",
        "X-Api-Key": "***",
        "X-Custom-Token": "***",
        "Accept": "application/json",
    }


def test_redact_mapping_is_recursive_and_does_not_mutate():
    data = {
        "user": "ada",
        "password": "pw",
        "nested": [{"token": "t", "id": 1}, {"auth": {"k": "v"}}],
        "refresh_token": None,
        "extra": "e",
    }
    out = redact_mapping(data, secret_keys=["extra"])
    assert out == {
        "user": "ada",
        "password": "***",
        "nested": [{"token": "***", "id": 1}, {"auth": "***"}],
        "refresh_token": None,
        "extra": "***",
    }
    assert data["password"] == "pw" and data["nested"][0]["token"] == "t"


class _ListHandler(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def captured():
    logger = logging.getLogger("tests.redaction")
    handler = _ListHandler()
    handler.addFilter(RedactingFilter([SECRET]))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, handler.lines
    logger.removeHandler(handler)


def test_redacting_filter_scrubs_messages_args_and_urls(captured):
    logger, lines = captured
    logger.info(f"direct {SECRET}")
    logger.info("arg %s and %d", SECRET, 7)
    logger.info("mapping %(tok)s", {"tok": SECRET})
    logger.info("object %s", {"nested": SECRET})
    logger.info("GET %s", "https://h/x?token=abc123&page=2")
    assert lines == [
        "direct ***",
        "arg *** and 7",
        "mapping ***",
        "object {'nested': '***'}",
        "GET https://h/x?token=***&page=2",
    ]


def test_redacting_filter_scrubs_tracebacks(captured):
    logger, lines = captured
    try:
        raise ValueError(f"bad {SECRET}")
    except ValueError:
        logger.exception("failed")
    assert len(lines) == 1
    assert SECRET not in lines[0]
    assert "ValueError: bad ***" in lines[0]


def test_redacting_filter_add_and_repr():
    filt = RedactingFilter()
    filt.add("later-secret-1")
    assert filt.scrub("x later-secret-1") == "x ***"
    assert "later-secret-1" not in repr(filt)
