"""The auth form over plain HTTP: what it renders, what it refuses, what it writes."""

from __future__ import annotations

import json
import logging
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from skillpack.auth._credentials import load_spec
from skillpack.auth.form import FormServer
from skillpack.cli import main
from skillpack.create.demo import copy_bundled_workspace
from skillpack.errors import InputError
from tests.auth.conftest import form_token

SECRET = "PLANTED-form-secret-71d2"
BASE_URL = "http://127.0.0.1:9/v1"


def _fields(token: str, **values: str) -> dict[str, str]:
    return {"form_token": token, **{f"field:{k}": v for k, v in values.items()}}


def _post(form: FormServer, data: dict[str, str], **headers: str) -> requests.Response:
    sent = {"Origin": form.origin, **headers}
    return requests.post(form.url + "submit", data=data, headers=sent, timeout=10)


def _token(form: FormServer) -> str:
    return form_token(requests.get(form.url, timeout=10).text)


def test_form_is_built_from_the_spec(oauth_paths):
    with FormServer(oauth_paths, load_spec(oauth_paths)) as form:
        html = requests.get(form.url, timeout=10).text
    # secret fields are password inputs, required ones are marked, defaults are filled in
    assert 'name="field:client_secret" type="password"' in html
    assert '<code>client_id</code> <span class="req"' in html
    assert 'id="f-region" name="field:region" type="text"' in html and 'value="eu"' in html
    # the refresh token comes from the sign-in, so it is not an input
    assert 'name="field:refresh_token"' not in html
    assert f"{form.origin}/callback" in html


def test_stored_values_prefill_non_secrets_only(example_paths):
    example_paths.dev_config.parent.mkdir(parents=True)
    example_paths.dev_config.write_text(json.dumps({"api_key": SECRET, "base_url": BASE_URL}))
    with FormServer(example_paths, load_spec(example_paths)) as form:
        html = requests.get(form.url, timeout=10).text
    assert SECRET not in html
    assert "stored already; leave blank to keep it" in html
    assert f'value="{BASE_URL}"' in html
    assert (
        'type="password" autocomplete="new-password" spellcheck="false" placeholder="stored' in html
    )


def test_submission_is_written_0600_merged_and_the_page_shows_no_value(example_paths, caplog):
    caplog.set_level(logging.DEBUG)
    example_paths.dev_config.parent.mkdir(parents=True)
    example_paths.dev_config.write_text(json.dumps({"environment": "dev"}))
    with FormServer(example_paths, load_spec(example_paths)) as form:
        reply = _post(
            form, _fields(_token(form), api_key=SECRET, base_url=BASE_URL, page_size="25")
        )
        result = form.wait(timeout=10)
    assert reply.status_code == 200 and "Saved" in reply.text
    assert SECRET not in reply.text and BASE_URL not in reply.text
    assert json.loads(example_paths.dev_config.read_text()) == {
        "environment": "dev",
        "api_key": SECRET,
        "base_url": BASE_URL,
        "page_size": "25",
    }
    assert stat.S_IMODE(example_paths.dev_config.stat().st_mode) == 0o600
    assert result.fields_set == ["api_key", "base_url", "page_size"]
    assert result.secret_fields_set == ["api_key"] and result.complete
    assert SECRET not in caplog.text


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({"Origin": ""}, "missing Origin"),
        ({"Origin": "http://127.0.0.1:1"}, "another origin"),
        ({"Origin": "null"}, "an opaque origin"),
    ],
)
def test_post_from_elsewhere_is_refused_and_keeps_the_token(example_paths, headers, why):
    with FormServer(example_paths, load_spec(example_paths)) as form:
        token = _token(form)
        data = _fields(token, api_key=SECRET, base_url=BASE_URL)
        if headers["Origin"] == "":
            refused = requests.post(form.url + "submit", data=data, timeout=10)
        else:
            refused = _post(form, data, **headers)
        assert refused.status_code == 403, why
        assert not example_paths.dev_config.exists()
        # A refused cross-origin attempt must not burn the real page's token.
        assert _post(form, data).status_code == 200


def test_wrong_host_header_is_refused(example_paths):
    with FormServer(example_paths, load_spec(example_paths)) as form:
        data = _fields(_token(form), api_key=SECRET, base_url=BASE_URL)
        refused = _post(form, data, Host=f"localhost:{form.port}")
    assert refused.status_code == 403
    assert not example_paths.dev_config.exists()


def test_missing_or_unknown_token_is_refused(example_paths):
    with FormServer(example_paths, load_spec(example_paths)) as form:
        _token(form)
        missing = _post(form, {"field:api_key": SECRET, "field:base_url": BASE_URL})
        unknown = _post(form, _fields("not-a-token-we-issued", api_key=SECRET, base_url=BASE_URL))
    assert (missing.status_code, unknown.status_code) == (403, 403)
    assert "token" in missing.text
    assert not example_paths.dev_config.exists()


def test_each_token_works_once(example_paths):
    with FormServer(example_paths, load_spec(example_paths)) as form:
        token = _token(form)
        first = _post(form, _fields(token, api_key=SECRET, base_url=BASE_URL, page_size="x"))
        replay = _post(form, _fields(token, api_key=SECRET, base_url=BASE_URL))
        assert (first.status_code, replay.status_code) == (400, 403)
        assert not example_paths.dev_config.exists()
        # The refused page carries a fresh token that does work, once.
        fresh = form_token(first.text)
        spare = _token(form)
        saved = _post(form, _fields(fresh, api_key=SECRET, base_url=BASE_URL))
        again = _post(form, _fields(fresh, api_key="PLANTED-other", base_url=BASE_URL))
        # Once saved, the form is closed: even a token never used is refused.
        late = _post(form, _fields(spare, api_key="PLANTED-other", base_url=BASE_URL))
    assert saved.status_code == 200
    assert (again.status_code, late.status_code) == (409, 409)
    assert json.loads(example_paths.dev_config.read_text())["api_key"] == SECRET


def test_bad_value_is_named_and_the_form_comes_back_without_the_secret(example_paths):
    with FormServer(example_paths, load_spec(example_paths)) as form:
        reply = _post(
            form, _fields(_token(form), api_key=SECRET, base_url=BASE_URL, page_size="ten")
        )
    assert reply.status_code == 400
    assert "`page_size` must be a whole number" in reply.text
    assert SECRET not in reply.text
    assert f'value="{BASE_URL}"' in reply.text  # non-secret input kept for the retry
    assert not example_paths.dev_config.exists()


def test_missing_required_field_is_refused(example_paths):
    with FormServer(example_paths, load_spec(example_paths)) as form:
        reply = _post(form, _fields(_token(form), base_url=BASE_URL))
    assert reply.status_code == 400 and "required: `api_key`" in reply.text
    assert not example_paths.dev_config.exists()


def test_a_stored_secret_may_be_left_blank(example_paths):
    example_paths.dev_config.parent.mkdir(parents=True)
    example_paths.dev_config.write_text(json.dumps({"api_key": SECRET}))
    with FormServer(example_paths, load_spec(example_paths)) as form:
        reply = _post(form, _fields(_token(form), api_key="", base_url=BASE_URL))
    assert reply.status_code == 200
    assert json.loads(example_paths.dev_config.read_text()) == {
        "api_key": SECRET,
        "base_url": BASE_URL,
    }


def test_oversized_body_is_refused(example_paths):
    with FormServer(example_paths, load_spec(example_paths)) as form:
        data = _fields(_token(form), api_key="x" * 70_000, base_url=BASE_URL)
        reply = _post(form, data)
    assert reply.status_code == 413
    assert not example_paths.dev_config.exists()


def test_wait_gives_up_and_close_frees_the_port(example_paths):
    form = FormServer(example_paths, load_spec(example_paths)).start()
    port = form.port
    with pytest.raises(InputError) as err:
        form.wait(timeout=0.05)
    assert err.value.code == "auth-timeout" and "skillpack auth example" in err.value.hint
    form.close()
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
        pass


def test_busy_port_is_an_input_error(example_paths):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(InputError, match="cannot listen"):
            FormServer(example_paths, load_spec(example_paths), port=taken.getsockname()[1])


def test_cli_auth_end_to_end_prints_names_never_values(example_paths):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    command = [sys.executable, "-m", "skillpack", "auth", "example"]
    command += ["--workspace", str(example_paths.root), "--no-browser", "--timeout", "60"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        announced = process.stderr.readline()
        assert announced.startswith("open http://127.0.0.1:"), announced
        url = announced.split()[1]
        page = requests.get(url, timeout=10).text
        data = _fields(form_token(page), api_key=SECRET, base_url=BASE_URL)
        origin = url.rstrip("/")
        reply = requests.post(url + "submit", data=data, headers={"Origin": origin}, timeout=10)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert reply.status_code == 200
    assert process.returncode == 0
    assert "api_key (secret), base_url" in out
    assert str(example_paths.dev_config) in out
    for text in (announced, out, err, reply.text):
        assert SECRET not in text
    assert json.loads(example_paths.dev_config.read_text())["api_key"] == SECRET


def test_cli_auth_times_out_with_exit_2(example_paths, capsys):
    argv = ["auth", "example", "--workspace", str(example_paths.root), "--no-browser"]
    assert main([*argv, "--timeout", "0.1"]) == 2
    err = capsys.readouterr().err
    assert "no credentials were submitted within 0.1s" in err
    assert "hint: run `skillpack auth example` again" in err
    assert not example_paths.dev_config.exists()


def test_cli_auth_without_a_spec_says_how_to_make_one(tmp_path, capsys):
    ws = copy_bundled_workspace(tmp_path / "ws")
    (ws / "sources" / "example" / "connector_spec.yaml").unlink()
    argv = ["auth", "example", "--workspace", str(ws), "--no-browser", "--timeout", "5"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "connector_spec.yaml" in err and "generate_connector_spec" in err
    assert not Path(ws / "sources" / "example" / "configs").exists()
