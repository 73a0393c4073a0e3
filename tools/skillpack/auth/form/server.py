"""The form server: 127.0.0.1 only, one-time tokens, Origin checked, stops after one save.

``GET /`` serves the form with a fresh random token in a hidden input. ``POST /submit`` is
accepted only with ``Origin: http://127.0.0.1:PORT``, the ``Host`` it was served on and an
unused token; each token works once, and once credentials are saved every further
submission is refused. For OAuth 2 sources the submission starts the sign-in instead and
``GET /callback`` finishes it (``state`` checked, single use). Request lines and bodies are
never logged: a callback URL carries an authorization code.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from skillpack.auth._credentials import (
    CredentialSpec,
    CredentialsWritten,
    coerce_values,
    missing_required,
    read_dev_config,
    save_credentials,
)
from skillpack.auth.form import page
from skillpack.auth.form.oauth import PendingFlow, authorize_url, exchange_code, origin_of
from skillpack.errors import InputError, SkillpackError
from skillpack.layout import SourcePaths
from skillpack.sdk.redaction import redact_text

_log = logging.getLogger(__name__)

HOST = "127.0.0.1"
#: largest form body accepted; a credential form is a few hundred bytes
MAX_BODY = 64 * 1024
#: tokens kept valid at once (one per page load); older ones expire first
MAX_TOKENS = 16
#: sign-ins started but not finished, kept at once
MAX_FLOWS = 4


@dataclass
class Reply:
    """What the handler sends back."""

    status: int
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)


class FormServer:
    """Serves the credential form of one source until a submission is saved.

    ::

        with FormServer(paths, load_spec(paths)) as form:
            print(form.url)
            result = form.wait(timeout=600)
    """

    def __init__(self, paths: SourcePaths, spec: CredentialSpec, *, port: int = 0) -> None:
        self.paths = paths
        self.spec = spec
        try:
            self._httpd = _HTTPServer((HOST, port), _Handler)
        except OSError as exc:
            raise InputError(
                f"cannot listen on {HOST}:{port} ({exc.strerror or type(exc).__name__})",
                hint="pick another --port, or leave it out to use a free one",
                code="port-in-use",
            ) from None
        self._httpd.form = self
        self._lock = threading.Lock()
        self._tokens: list[str] = []
        self._flows: list[PendingFlow] = []
        self._result: CredentialsWritten | None = None
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the form listens on."""
        return int(self._httpd.server_address[1])

    @property
    def origin(self) -> str:
        """The only Origin a submission may come from."""
        return f"http://{HOST}:{self.port}"

    @property
    def url(self) -> str:
        """The form's address, to open in a browser."""
        return self.origin + "/"

    @property
    def redirect_uri(self) -> str:
        """Where the OAuth 2 provider sends the browser back to."""
        return self.origin + "/callback"

    @property
    def result(self) -> CredentialsWritten | None:
        """What was saved, once a submission succeeded."""
        return self._result

    def start(self) -> FormServer:
        """Serve in a background thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                # A short poll keeps close() quick; the loop is idle otherwise.
                kwargs={"poll_interval": 0.1},
                name="skillpack-auth-form",
                daemon=True,
            )
            self._thread.start()
        return self

    def wait(self, timeout: float) -> CredentialsWritten:
        """Block until credentials are saved; ``InputError`` after ``timeout`` seconds."""
        if not self._done.wait(timeout):
            raise InputError(
                f"no credentials were submitted within {timeout:g}s",
                hint=f"run `skillpack auth {self.paths.name}` again and submit the form "
                "(or raise --timeout)",
                code="auth-timeout",
            )
        assert self._result is not None
        return self._result

    def close(self) -> None:
        """Stop serving and free the port."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> FormServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- requests -------------------------------------------------------------------------------

    def form(
        self,
        *,
        errors: list[str] | None = None,
        prefill: dict[str, str] | None = None,
        status: int = 200,
    ) -> Reply:
        """The form with a fresh token (or the saved page once done)."""
        if self._result is not None:
            return Reply(200, page.saved_page(self._result))
        try:
            stored = read_dev_config(self.paths.dev_config)
        except SkillpackError as exc:
            return Reply(500, page.message_page("Cannot read the dev config", _line(exc)))
        token = secrets.token_urlsafe(32)
        self._tokens = [*self._tokens, token][-MAX_TOKENS:]
        html = page.form_page(
            self.spec,
            token=token,
            stored=stored,
            errors=errors or (),
            prefill=prefill,
            redirect_uri=self.redirect_uri,
        )
        return Reply(status, html)

    def submit(self, origin: str | None, content_type: str, body: bytes) -> Reply:
        """Check and save one submission (or start the OAuth 2 sign-in)."""
        with self._lock:
            if self._result is not None:
                return _refused(409, "These credentials were saved already; this form is closed.")
            if origin is None or not hmac.compare_digest(origin, self.origin):
                return _refused(403, "Refused: the request did not come from this form.")
            if content_type.split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
                return _refused(415, "Refused: send the form as the browser does.")
            fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            if not self._use_token((fields.get(page.TOKEN_NAME) or [""])[-1]):
                return _refused(
                    403, "Refused: the form token is missing, unknown or used. Reload the form."
                )
            raw = {
                k.removeprefix(page.FIELD_PREFIX): v[-1]
                for k, v in fields.items()
                if k.startswith(page.FIELD_PREFIX)
            }
            return self._save_or_sign_in(raw)

    def callback(self, query: str) -> Reply:
        """Finish an OAuth 2 sign-in: check ``state``, exchange the code, save."""
        params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        oauth = self.spec.oauth2
        with self._lock:
            if self._result is not None:
                return _refused(409, "These credentials were saved already; this form is closed.")
            flow = self._take_flow(params.get("state", ""))
        if oauth is None or flow is None:
            return _refused(
                403, "Refused: unknown or used sign-in state. Start again from the form."
            )
        if params.get("error"):
            reason = redact_text(params.get("error_description") or params["error"], _values(flow))
            return Reply(400, page.message_page("Sign-in refused", reason[:200], again=True))
        code = params.get("code", "")
        if not code:
            return Reply(400, page.message_page("Sign-in failed", "No code came back.", again=True))
        client_id = flow.values.get(oauth.client_id_param, "")
        try:
            refresh = exchange_code(
                oauth, flow, code, client_id, flow.values.get(oauth.client_secret_param)
            )
        except SkillpackError as exc:
            return Reply(502, page.message_page("Sign-in failed", _line(exc), again=True))
        with self._lock:
            if self._result is not None:
                return _refused(409, "These credentials were saved already; this form is closed.")
            return self._save({**flow.values, oauth.refresh_token_param: refresh})

    # -- helpers --------------------------------------------------------------------------------

    def _use_token(self, token: str) -> bool:
        """Consume ``token`` if it is one we issued; compared in constant time."""
        for known in self._tokens:
            if token and hmac.compare_digest(token, known):
                self._tokens.remove(known)
                return True
        return False

    def _take_flow(self, state: str) -> PendingFlow | None:
        for flow in self._flows:
            if state and hmac.compare_digest(state, flow.state):
                self._flows.remove(flow)
                return flow
        return None

    def _save_or_sign_in(self, raw: dict[str, str]) -> Reply:
        oauth = self.spec.oauth2
        if oauth is not None:
            # The sign-in fills the refresh token; a typed-in one is not taken.
            raw.pop(oauth.refresh_token_param, None)
        prefill = {k: v for k, v in raw.items() if k not in self.spec.secret_names}
        try:
            values = coerce_values(self.spec, raw)
            stored = read_dev_config(self.paths.dev_config)
        except SkillpackError as exc:
            return self.form(errors=[_line(exc)], prefill=prefill, status=400)
        merged = {**stored, **values}
        missing = [
            n
            for n in missing_required(self.spec, merged)
            if oauth is None or n != oauth.refresh_token_param
        ]
        if oauth is not None and not _is_text(merged.get(oauth.client_id_param)):
            missing.append(oauth.client_id_param)
        if missing:
            listed = ", ".join(f"`{n}`" for n in sorted(set(missing)))
            return self.form(errors=[f"required: {listed}"], prefill=prefill, status=400)
        if oauth is None:
            return self._save(values)
        # Stored client credentials count as given, so a re-run only needs the sign-in.
        for name in (oauth.client_id_param, oauth.client_secret_param):
            if name not in values and _is_text(merged.get(name)):
                values[name] = str(merged[name])
        flow = PendingFlow.start(values, self.redirect_uri)
        self._flows = [*self._flows, flow][-MAX_FLOWS:]
        target = authorize_url(oauth, values[oauth.client_id_param], flow)
        return Reply(303, headers={"Location": target})

    def _save(self, values: dict[str, str]) -> Reply:
        try:
            result = save_credentials(self.paths, self.spec, values, merge=True)
        except SkillpackError as exc:
            return Reply(500, page.message_page("Not saved", _line(exc), again=True))
        except OSError as exc:
            detail = f"could not write {self.paths.dev_config} ({exc.strerror or exc})"
            return Reply(500, page.message_page("Not saved", detail, again=True))
        self._result = result
        self._tokens.clear()
        self._flows.clear()
        self._done.set()
        return Reply(200, page.saved_page(result))

    def content_security_policy(self) -> str:
        """The pages' CSP: nothing loads, and forms post here (or on to the provider)."""
        targets = "'self'"
        if self.spec.oauth2 is not None:
            # Chromium applies form-action to the redirect that follows the submission too.
            targets += " " + origin_of(self.spec.oauth2.authorize_url)
        return (
            f"default-src 'none'; style-src 'unsafe-inline'; form-action {targets}; "
            "frame-ancestors 'none'; base-uri 'none'"
        )


def _refused(status: int, message: str) -> Reply:
    return Reply(status, page.message_page("Not accepted", message))


def _line(exc: SkillpackError) -> str:
    return f"{exc} ({exc.hint})" if exc.hint else str(exc)


def _is_text(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and str(value) != ""


def _values(flow: PendingFlow) -> set[str]:
    return {v for v in flow.values.values() if v} | {flow.verifier}


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    form: FormServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The default prints a traceback to stderr; an exception text may hold a value.
        _log.error("auth form: a request failed inside the server")


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "skillpack-auth"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        # Request lines carry authorization codes on /callback: log nothing.
        return

    def _host_ok(self) -> bool:
        # Guards against DNS rebinding: a page on another name resolving to 127.0.0.1.
        host = self.headers.get("Host", "")
        return hmac.compare_digest(host, f"{HOST}:{self.server.form.port}")

    def do_GET(self) -> None:
        form = self.server.form
        if not self._host_ok():
            self._send(_refused(403, "Refused: open the form at its 127.0.0.1 address."))
            return
        url = urlsplit(self.path)
        if url.path == "/":
            with form._lock:
                reply = form.form()
        elif url.path == "/callback":
            reply = form.callback(url.query)
        else:
            reply = Reply(404, page.message_page("Not found", "Nothing here.", again=True))
        self._send(reply)

    def do_POST(self) -> None:
        form = self.server.form
        if not self._host_ok():
            self._send(_refused(403, "Refused: open the form at its 127.0.0.1 address."))
            return
        if urlsplit(self.path).path != "/submit":
            self._send(Reply(404, page.message_page("Not found", "Nothing here.")))
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True
            self._send(_refused(413, "Refused: the request body is too large."))
            return
        body = self.rfile.read(length)
        self._send(
            form.submit(self.headers.get("Origin"), self.headers.get("Content-Type", ""), body)
        )

    def _send(self, reply: Reply) -> None:
        data = reply.html.encode("utf-8")
        self.send_response(reply.status)
        headers = {
            "Content-Type": "text/html; charset=utf-8",
            "Content-Length": str(len(data)),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            # not no-referrer: Chromium then sends `Origin: null` on the form POST
            "Referrer-Policy": "same-origin",
            "Content-Security-Policy": self.server.form.content_security_policy(),
            **reply.headers,
        }
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
