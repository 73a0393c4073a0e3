"""Secrets travel JSON-escaped inside bodies; the cassette scrubber masks that spelling too."""

from __future__ import annotations

import json

import pytest

from skillpack.testing._cassette import Scrubber, config_secrets


@pytest.mark.parametrize("password", ['pa"ss-Word-77', "pa\\ss-Word-77", "pässwörd-77"])
def test_a_secret_is_masked_in_its_json_escaped_form(password):
    secrets = config_secrets({"username": "admin", "password": password})
    body = json.dumps({"echo": password}).encode()
    escaped = json.dumps(password)[1:-1]
    assert escaped.encode() in body  # what a recorder would otherwise store
    out = Scrubber(secrets).response({"headers": {}, "body": {"string": body}})
    stored = out["body"]["string"]
    assert escaped.encode() not in stored and password.encode() not in stored
    assert json.loads(stored) == {"echo": "***"}


def test_the_escaped_form_is_one_of_the_secrets_a_config_yields():
    secrets = config_secrets({"password": 'a"b-secret'})
    assert 'a\\"b-secret' in secrets and 'a"b-secret' in secrets
