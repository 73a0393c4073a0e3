"""The auth form in a real headless Chromium: fill, submit, and the refusals a browser can cause.

Chromium is Debian's package (``/usr/bin/chromium``), driven by Playwright. Without it these
tests skip with the install command as the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import json
import logging
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from skillpack.auth._credentials import load_spec
from skillpack.auth.form import FormServer
from tests.auth._oauth_provider import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN
from tests.auth.conftest import form_token

SECRET = "PLANTED-browser-secret-c0ffee"
BASE_URL = "http://127.0.0.1:9/v1"


def _fill(page: Any) -> None:
    page.fill("#f-api_key", SECRET)
    page.fill("#f-base_url", BASE_URL)
    page.fill("#f-page_size", "25")


def _submit(page: Any) -> Any:
    """Click the button; return the response to the POST /submit."""
    with page.expect_response(lambda r: r.url.endswith("/submit")) as answer:
        page.click("button[type=submit]")
    return answer.value


@contextmanager
def _other_site(html: str) -> Iterator[str]:
    """Serve ``html`` from another origin (a different port of 127.0.0.1)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            data = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_fill_and_submit_writes_the_config_0600(example_paths, page, capfd, caplog):
    caplog.set_level(logging.DEBUG)
    with FormServer(example_paths, load_spec(example_paths)) as form:
        page.goto(form.url)
        assert page.get_attribute("#f-api_key", "type") == "password"
        _fill(page)
        reply = _submit(page)
        page.wait_for_selector("text=Saved")
        result = form.wait(timeout=10)
        after = page.content()
    assert reply.status == 200
    assert json.loads(example_paths.dev_config.read_text()) == {
        "api_key": SECRET,
        "base_url": BASE_URL,
        "page_size": "25",
    }
    assert stat.S_IMODE(example_paths.dev_config.stat().st_mode) == 0o600
    assert result.secret_fields_set == ["api_key"]
    captured = capfd.readouterr()
    for text in (after, captured.out, captured.err, caplog.text):
        assert SECRET not in text


def test_cross_origin_post_is_refused_even_with_a_valid_token(example_paths, page):
    with FormServer(example_paths, load_spec(example_paths)) as form:
        # Worst case: the other site somehow holds a token this form really issued.
        token = form_token(requests.get(form.url, timeout=10).text)
        attack = (
            f'<form id=f method=post action="{form.url}submit">'
            f'<input name=form_token value="{token}">'
            f'<input name="field:api_key" value="{SECRET}">'
            f'<input name="field:base_url" value="{BASE_URL}"></form>'
            "<script>document.getElementById('f').submit()</script>"
        )
        with _other_site(attack) as elsewhere:
            with page.expect_response(lambda r: r.url.endswith("/submit")) as answer:
                page.goto(elsewhere)
            reply = answer.value
            page.wait_for_selector("text=did not come from this form")
        assert form.result is None
    assert reply.status == 403
    assert not example_paths.dev_config.exists()


def test_submission_without_the_token_is_refused(example_paths, page):
    with FormServer(example_paths, load_spec(example_paths)) as form:
        page.goto(form.url)
        _fill(page)
        page.evaluate("document.querySelector('input[name=form_token]').remove()")
        reply = _submit(page)
        page.wait_for_selector("text=token is missing")
        assert form.result is None
    assert reply.status == 403
    assert not example_paths.dev_config.exists()


def test_replayed_token_is_refused(example_paths, page):
    with FormServer(example_paths, load_spec(example_paths)) as form:
        page.goto(form.url)
        token = page.input_value("input[name=form_token]")
        _fill(page)
        assert _submit(page).status == 200
        page.wait_for_selector("text=Saved")
        # The same token again, posted by a form on the form's own origin: refused, and the
        # file keeps its values. (The page's CSP blocks fetch(), so a real form posts it.)
        with page.expect_response(lambda r: r.url.endswith("/submit")) as answer:
            page.evaluate(
                """(token) => {
                    const form = document.createElement("form");
                    form.method = "post";
                    form.action = "/submit";
                    const values = {"form_token": token, "field:api_key": "PLANTED-replayed",
                                    "field:base_url": "http://replayed/v1"};
                    for (const [name, value] of Object.entries(values)) {
                        const input = document.createElement("input");
                        input.name = name;
                        input.value = value;
                        form.appendChild(input);
                    }
                    document.body.appendChild(form);
                    form.submit();
                }""",
                token,
            )
        status = answer.value.status
        page.wait_for_selector("text=saved already")
    assert status == 409
    assert json.loads(example_paths.dev_config.read_text())["api_key"] == SECRET


def test_oauth_sign_in_in_the_browser_stores_the_refresh_token(oauth_paths, provider, page):
    with FormServer(oauth_paths, load_spec(oauth_paths)) as form:
        page.goto(form.url)
        assert page.input_value("#f-region") == "eu"
        page.fill("#f-client_id", CLIENT_ID)
        page.fill("#f-client_secret", CLIENT_SECRET)
        page.click("button[type=submit]")
        page.wait_for_selector("text=Saved")
        result = form.wait(timeout=10)
        landed, after = page.url, page.content()
    assert landed.startswith(form.redirect_uri)
    assert provider.log.token_answers == [200]
    assert json.loads(oauth_paths.dev_config.read_text()) == {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "region": "eu",
        "refresh_token": REFRESH_TOKEN,
    }
    assert result.complete
    assert REFRESH_TOKEN not in after and CLIENT_SECRET not in after
