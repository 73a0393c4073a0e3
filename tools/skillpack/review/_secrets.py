"""Finding credential-looking literals in code, Markdown, YAML/JSON files and cassettes.

Two rules, as in :mod:`skillpack.sdk.redaction`: by *name* (a value under a secret-looking
name that looks like a credential rather than a placeholder or a field name) and by *shape*
(well-known token formats, wherever they appear). Hits carry a line and a label, never the
value itself, so reporting them cannot leak what they found.
"""

from __future__ import annotations

import ast
import base64
import binascii
import json
import re
from collections.abc import Iterator
from typing import Any

import yaml
from markdown_it import MarkdownIt

from skillpack.review._ast import PyFile
from skillpack.sdk.redaction import is_secret_key, redact_url

#: well-known credential formats: (label, pattern)
TOKEN_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern))
    for label, pattern in (
        ("a GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})"),
        ("a Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
        ("an AWS access key id", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
        ("a Stripe-style secret key", r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"),
        ("an API secret key (sk-...)", r"\bsk-[A-Za-z0-9_-]{20,}"),
        ("a Google API key", r"\bAIza[0-9A-Za-z_-]{35}"),
        ("a JSON Web Token", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
        ("a private key block", r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
        ("a bearer credential", r"\bBearer\s+[A-Za-z0-9._~+/-]{16,}=*"),
        ("a Basic credential", r"\bBasic\s+[A-Za-z0-9+/]{12,}=*"),
        ("a password in a URL", r"[a-z][a-z0-9+.-]*://[^/\s:@{}<>]+:[^/\s@{}<>*]{3,}@"),
    )
)
#: words that mark a value as a stand-in rather than a credential
_PLACEHOLDER = re.compile(
    r"example|sample|dummy|fake|placeholder|stand-?in|simulator|replay|your|changeme|"
    r"redacted|unused|xxx|\*\*\*|test|local|dev|\{|<|\$",
    re.IGNORECASE,
)
#: a value that reads as a field name or a word, not a credential (`updated_at`)
_NAME_LIKE = re.compile(r"^[a-z]+(?:[_.\-][a-z]+)*$")
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})

Hit = tuple[str, int]
MARKDOWN = MarkdownIt("commonmark").enable("table")


#: every shape at once, so the common case (no match) costs one search
_ANY_SHAPE = re.compile("|".join(f"(?:{p.pattern})" for _, p in TOKEN_SHAPES))


def shapes(text: str) -> list[str]:
    """Labels of the token shapes found in ``text``."""
    if not _ANY_SHAPE.search(text):
        return []
    return [
        label
        for label, pattern in TOKEN_SHAPES
        if any(_confirmed(label, m.group(0)) for m in pattern.finditer(text))
    ]


def _confirmed(label: str, found: str) -> bool:
    """A Basic credential is base64 of ``user:password``; "Basic Authentication" is prose."""
    if label != "a Basic credential":
        return True
    token = found.split(None, 1)[-1]
    try:
        decoded = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    text = decoded.decode("utf-8", errors="replace")
    return ":" in text and text.isprintable()


def is_placeholder(value: str) -> bool:
    """True for an empty, masked or obviously made-up value."""
    return not value.strip() or bool(_PLACEHOLDER.search(value))


def looks_like_credential(value: str) -> bool:
    """A value that, under a secret-looking name, would be a real credential."""
    return (
        len(value) >= 8
        and not any(c.isspace() for c in value)
        and not is_placeholder(value)
        and not _NAME_LIKE.match(value)
    )


# --- Python ------------------------------------------------------------------------------------


def _target_name(node: ast.expr, py: PyFile) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        return py.const_str(node.slice)
    return None


def _named_values(py: PyFile) -> Iterator[tuple[str, ast.expr]]:
    """``(name, value)`` pairs: assignments, dict entries, keyword and default arguments."""
    for node in py.nodes:
        if isinstance(node, ast.Assign):
            for t in node.targets:
                name = _target_name(t, py)
                if name:
                    yield name, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            name = _target_name(node.target, py)
            if name:
                yield name, node.value
        elif isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values, strict=True):
                key = py.const_str(k) if k is not None else None
                if key:
                    yield key, v
        elif isinstance(node, ast.keyword) and node.arg:
            yield node.arg, node.value
        elif isinstance(node, ast.arguments):
            positional = node.posonlyargs + node.args
            if node.defaults:
                tail = positional[-len(node.defaults) :]
                for arg, default in zip(tail, node.defaults, strict=True):
                    yield arg.arg, default
            for arg, default in zip(node.kwonlyargs, node.kw_defaults, strict=True):
                if default is not None:
                    yield arg.arg, default


def python_hits(py: PyFile) -> list[Hit]:
    """``(what, line)`` for credential literals in a Python file."""
    found: dict[int, str] = {}
    for name, value in _named_values(py):
        if not is_secret_key(name):
            continue
        if (
            isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and looks_like_credential(value.value)
        ):
            found.setdefault(value.lineno, f"a literal credential assigned to `{name}`")
    for text, line in py.strings():
        for label in shapes(text):
            found.setdefault(line, f"a string literal shaped like {label}")
    return sorted(((what, line) for line, what in found.items()), key=lambda h: h[1])


# --- Markdown ----------------------------------------------------------------------------------


def markdown_hits(text: str) -> list[Hit]:
    """``(what, line)`` for token-shaped strings in a Markdown document's text and code."""
    found: dict[int, str] = {}

    def note(kind: str, content: str, line: int) -> None:
        for label in shapes(content):
            found.setdefault(line, f"{kind} shaped like {label}")

    for tok in MARKDOWN.parse(text):
        start = (tok.map[0] + 1) if tok.map else 1
        if tok.type in ("fence", "code_block"):
            offset = 1 if tok.type == "fence" else 0
            for i, line in enumerate(tok.content.splitlines()):
                note("a code line", line, start + offset + i)
        elif tok.type == "inline":
            line = start
            for child in tok.children or ():
                if child.type in ("softbreak", "hardbreak"):
                    line += 1
                elif child.type in ("text", "code_inline"):
                    note("text", child.content, line)
                elif child.type == "link_open":
                    note("a link", str(child.attrGet("href") or ""), line)
    return sorted(((what, line) for line, what in found.items()), key=lambda h: h[1])


# --- YAML / JSON -------------------------------------------------------------------------------


def compose(text: str) -> yaml.Node | None:
    """The YAML (or JSON) node tree of ``text``, keeping line numbers."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.compose(text, Loader=loader)


def _scalars(node: yaml.Node) -> Iterator[yaml.ScalarNode]:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.ScalarNode):
            yield current
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(reversed(current.value))
        elif isinstance(current, yaml.MappingNode):
            for k, v in reversed(current.value):
                stack.extend([v, k])


def _pairs(node: yaml.Node) -> Iterator[tuple[str, yaml.Node]]:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            for k, v in current.value:
                if isinstance(k, yaml.ScalarNode):
                    yield str(k.value), v
                stack.append(v)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def data_hits(root: yaml.Node | None) -> list[Hit]:
    """Token shapes anywhere, and credentials under secret-looking keys, in YAML/JSON data."""
    if root is None:
        return []
    found: dict[int, str] = {}
    for key, value in _pairs(root):
        scalar = isinstance(value, yaml.ScalarNode)
        if scalar and is_secret_key(key) and looks_like_credential(str(value.value)):
            found.setdefault(_line(value), f"a credential under `{key}`")
    for scalar in _scalars(root):
        for label in shapes(str(scalar.value)):
            found.setdefault(_line(scalar), f"a value shaped like {label}")
    return sorted(((what, line) for line, what in found.items()), key=lambda h: h[1])


def _body_secrets(body: str) -> list[str]:
    """Secret-looking keys holding credentials in a JSON or form body."""
    text = body.strip()
    if text.startswith(("{", "[")):
        try:
            data = json.loads(text)
        except ValueError:
            return []
        return sorted(set(_json_secrets(data)))
    if "=" in text and not any(c.isspace() for c in text):
        return sorted(
            {
                name
                for name, _, value in (p.partition("=") for p in text.split("&"))
                if is_secret_key(name) and looks_like_credential(value)
            }
        )
    return []


def _json_secrets(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for k, v in data.items():
            if isinstance(k, str) and is_secret_key(k) and isinstance(v, str):
                if looks_like_credential(v):
                    yield k
            else:
                yield from _json_secrets(v)
    elif isinstance(data, list):
        for item in data:
            yield from _json_secrets(item)


def cassette_hits(root: yaml.Node | None) -> list[Hit]:
    """What a recorder should have scrubbed: credential headers, secret query parameters,
    secret body fields, and token shapes anywhere."""
    if root is None:
        return []
    found: dict[int, str] = dict((line, what) for what, line in data_hits(root))
    for key, value in _pairs(root):
        lowered = key.lower()
        if lowered in _SECRET_HEADERS or (lowered.startswith("x-") and is_secret_key(key)):
            for scalar in _scalars(value):
                if not is_placeholder(str(scalar.value)):
                    found.setdefault(_line(scalar), f"a `{key}` header kept in the recording")
        elif lowered == "uri" and isinstance(value, yaml.ScalarNode):
            uri = str(value.value)
            if redact_url(uri) != uri:
                found.setdefault(_line(value), "a secret query parameter or URL password")
        elif lowered in ("string", "body") and isinstance(value, yaml.ScalarNode):
            for name in _body_secrets(str(value.value)):
                found.setdefault(_line(value), f"a body field `{name}` holding a credential")
    return sorted(((what, line) for line, what in found.items()), key=lambda h: h[1])
