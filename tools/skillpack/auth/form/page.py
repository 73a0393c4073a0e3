"""The HTML pages of the auth form: the form, the saved page and short messages.

Secret values are never rendered: secret inputs are always empty (a placeholder says when a
value is already stored), and the saved page lists field names only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from skillpack.auth._credentials import CredentialField, CredentialSpec, CredentialsWritten

#: prefix of every parameter input's name, so no parameter can clash with the token input
FIELD_PREFIX = "field:"
TOKEN_NAME = "form_token"

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;
color:#1b1b1b}
h1{font-size:1.35rem}label{display:block;font-weight:600;margin-top:1rem}
input,select{width:100%;box-sizing:border-box;padding:.45rem;font:inherit;margin-top:.25rem}
small{display:block;color:#555}.req{color:#b00020}
.errors{border-left:4px solid #b00020;background:#fdecee;padding:.5rem 1rem}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font:inherit;cursor:pointer}
code{background:#f2f2f2;padding:0 .2rem}
"""


def _doc(title: str, body: str) -> str:
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>\n"
        f"<body>\n{body}\n</body></html>\n"
    )


def _is_set(config: Mapping[str, Any], name: str) -> bool:
    return config.get(name) not in (None, "")


def _input(field: CredentialField, value: str, *, required: bool, stored: bool) -> str:
    name = escape(FIELD_PREFIX + field.name)
    ident = escape("f-" + field.name)
    req = " required" if required else ""
    if field.type == "boolean":
        options = [("", "not set"), ("true", "true"), ("false", "false")]
        opts = "".join(
            f'<option value="{v}"{" selected" if v == value else ""}>{label}</option>'
            for v, label in options
        )
        return f'<select id="{ident}" name="{name}"{req}>{opts}</select>'
    if field.secret:
        hint = "stored already; leave blank to keep it" if stored else ""
        return (
            f'<input id="{ident}" name="{name}" type="password" autocomplete="new-password" '
            f'spellcheck="false" placeholder="{escape(hint)}"{req}>'
        )
    kind = {"integer": ' type="number" step="1"', "number": ' type="number" step="any"'}.get(
        field.type, ' type="text"'
    )
    return (
        f'<input id="{ident}" name="{name}"{kind} autocomplete="off" spellcheck="false" '
        f'value="{escape(value)}"{req}>'
    )


def form_page(
    spec: CredentialSpec,
    *,
    token: str,
    stored: Mapping[str, Any],
    errors: Iterable[str] = (),
    prefill: Mapping[str, str] | None = None,
    redirect_uri: str | None = None,
) -> str:
    """The credential form for ``spec``; ``stored`` is the current dev config.

    Non-secret inputs show ``prefill`` (a refused submission), else the stored value, else
    the spec's default. A required input is marked required unless a value is stored.
    """
    prefill = prefill or {}
    skip = {spec.oauth2.refresh_token_param} if spec.oauth2 is not None else set()
    rows = []
    for field in spec.fields:
        if field.name in skip:
            continue
        stored_here = _is_set(stored, field.name)
        required = field.required and field.default is None and not stored_here
        value = prefill.get(field.name)
        if value is None:
            value = str(stored[field.name]) if stored_here else field.default or ""
        mark = ' <span class="req" title="required">*</span>' if required else ""
        desc = f"<small>{escape(field.description)}</small>" if field.description else ""
        widget = _input(field, value, required=required, stored=stored_here)
        rows.append(
            f'<label for="f-{escape(field.name)}"><code>{escape(field.name)}</code>{mark}</label>'
            f"{desc}{widget}"
        )
    title = f"Credentials for {spec.display_name or spec.source}"
    problems = list(errors)
    error_box = (
        '<div class="errors" role="alert"><p>Not saved:</p><ul>'
        + "".join(f"<li>{escape(p)}</li>" for p in problems)
        + "</ul></div>"
        if problems
        else ""
    )
    oauth = ""
    button = "Save"
    if spec.oauth2 is not None:
        button = "Save and sign in"
        where = escape(spec.oauth2.authorize_url.split("?")[0])
        oauth = (
            f"<p>Saving sends you to <code>{where}</code> to sign in; the refresh token it "
            f"returns is stored as <code>{escape(spec.oauth2.refresh_token_param)}</code>. "
            f"The app's redirect URI must be <code>{escape(redirect_uri or '')}</code>.</p>"
        )
    body = (
        f"<h1>{escape(title)}</h1>\n"
        "<p>The values go to this source's <code>configs/dev_config.json</code> on this "
        "computer (readable by you only). Secret fields are never shown again.</p>\n"
        f"{error_box}{oauth}\n"
        '<form method="post" action="/submit" autocomplete="off">\n'
        f'<input type="hidden" name="{TOKEN_NAME}" value="{escape(token)}">\n'
        + "\n".join(rows)
        + f'\n<button type="submit">{button}</button>\n</form>'
    )
    return _doc(title, body)


def saved_page(result: CredentialsWritten) -> str:
    """The page shown once the credentials are written: field names, never values."""
    names = ", ".join(f"<code>{escape(n)}</code>" for n in result.fields_set) or "none"
    missing = (
        "<p>Still missing (required): "
        + ", ".join(f"<code>{escape(n)}</code>" for n in result.missing_required)
        + "</p>"
        if result.missing_required
        else ""
    )
    body = (
        "<h1>Saved</h1>\n"
        f"<p>Fields set: {names}.</p>\n"
        f"<p>Written to <code>{escape(result.path)}</code> (mode 0600).</p>\n"
        f"{missing}<p>You can close this tab; the terminal shows the same summary.</p>"
    )
    return _doc("Saved", body)


def message_page(title: str, message: str, *, again: bool = False) -> str:
    """A short page for a refused or failed request; ``again`` links back to the form."""
    link = '<p><a href="/">Back to the form</a></p>' if again else ""
    return _doc(title, f"<h1>{escape(title)}</h1>\n<p>{escape(message)}</p>\n{link}")
