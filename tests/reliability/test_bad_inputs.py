"""The bad-input matrix: every input a user can get wrong ends in one line and a hint, exit 2.

Each case runs the command line (``skillpack.cli.main``) with one bad input and checks the
outcome a user sees: exit status 2, exactly an ``error:`` line and a ``hint:`` line on
stderr, nothing on stdout, no traceback, no echo of a huge value, and nothing written
where it should not be.
"""

from __future__ import annotations

import json
import keyword
from collections.abc import Callable
from pathlib import Path

import pytest

from skillpack.cli import main
from skillpack.layout import bundled_workspace, source_paths
from skillpack.limits import MAX_DOC_BYTES, MAX_INPUT_BYTES

DOC = source_paths("example", bundled_workspace()).api_doc

KEYWORDS = [k for k in keyword.kwlist if k.islower()] + ["match", "case", "type"]
STDLIB = ["json", "os", "sys", "re", "email", "http", "csv", "string", "types", "time",
          "random", "socket", "logging", "typing", "abc", "ast", "io", "select", "signal",
          "queue", "secrets", "token", "calendar", "collections"]  # fmt: skip
RESERVED = ["skillpack", "sources", "tests", "src"]
MALFORMED = ["Hub", "1abc", "my-api", "a b", "../x", "a.b", "é", "x" * 300, "_x"]


def _names() -> list[tuple[str, str, str]]:
    cases = [(f"create-{n}", n, "source name") for n in KEYWORDS + STDLIB + RESERVED]
    cases += [(f"create-malformed-{i}", n, "source name") for i, n in enumerate(MALFORMED)]
    return cases


Setup = Callable[[Path], list[str]]


def _create(name: str) -> Setup:
    return lambda tmp: ["create", name, "--doc", str(DOC), "--workspace", str(tmp / "ws")]


def _sub(cmd: str, name: str) -> Setup:
    return lambda tmp: [cmd, name, "--workspace", str(tmp / "ws")]


def _tool(tool: str, data: object) -> Setup:
    def build(tmp: Path) -> list[str]:
        text = json.dumps(data).replace("{ws}", str(tmp / "ws"))
        return ["tool", tool, "--input", text]

    return build


def _tool_raw(tool: str, raw: str) -> Setup:
    return lambda tmp: ["tool", tool, "--input", raw]


def _file(tool: str, content: bytes) -> Setup:
    def build(tmp: Path) -> list[str]:
        path = tmp / "input.json"
        path.write_bytes(content)
        return ["tool", tool, "--input-file", str(path)]

    return build


def _doc(content: bytes, *extra: str) -> Setup:
    def build(tmp: Path) -> list[str]:
        doc = tmp / "doc.md"
        doc.write_bytes(content)
        return ["create", "shop", "--doc", str(doc), "--workspace", str(tmp / "ws"), *extra]

    return build


def _parse(content: bytes) -> Setup:
    def build(tmp: Path) -> list[str]:
        doc = tmp / "doc.md"
        doc.write_bytes(content)
        return ["tool", "parse_api_doc", "--input", json.dumps({"path": str(doc)})]

    return build


def _workspace(path: str) -> Setup:
    return lambda tmp: ["create", "shop", "--doc", str(DOC), "--workspace", path]


def _ws_is_a_file(tmp: Path) -> list[str]:
    (tmp / "afile").write_text("x")
    return ["create", "shop", "--doc", str(DOC), "--workspace", str(tmp / "afile")]


def _deep(n: int) -> bytes:
    return ("[" * n + "]" * n).encode()


CASES: list[tuple[str, Setup, str]] = [(cid, _create(n), why) for cid, n, why in _names()]
CASES += [
    (f"{cmd}-{n[:12]}", _sub(cmd, n), "source name")
    for cmd in ("test", "review", "package", "auth")
    for n in ("class", "json", "Bad-Name", "x" * 300)
]
CASES += [
    (f"tool-source-{n[:8]}", _tool("validate_auth", {"source": n}), "source name")
    for n in ("class", "import", "json", "sources", "1x", "x" * 300)
]
CASES += [
    # strict booleans and bounded numbers
    ("bool-yes", _tool("validate_auth", {"source": "shop", "read_sample": "yes"}), "true or false"),
    ("bool-1", _tool("validate_auth", {"source": "shop", "read_sample": 1}), "true or false"),
    ("bool-str-true", _tool("validate_auth", {"source": "shop", "read_sample": "true"}), "true"),
    ("overwrite-yes", _tool("implement_connector", {"path": "d.md", "overwrite": "yes"}), "true"),
    ("timeout-1e308", _tool("validate_auth", {"source": "shop", "timeout_s": 1e308}), "timeout_s"),
    ("timeout-neg", _tool("validate_auth", {"source": "shop", "timeout_s": -1}), "timeout_s"),
    ("timeout-zero", _tool("run_suite", {"source": "shop", "timeout_s": 0}), "timeout_s"),
    ("timeout-str", _tool("run_suite", {"source": "shop", "timeout_s": "soon"}), "timeout_s"),
    ("timeout-nan", _tool_raw("run_suite", '{"source": "shop", "timeout_s": NaN}'), "finite"),
    ("timeout-inf", _tool_raw("run_suite", '{"source": "shop", "timeout_s": Infinity}'), "finite"),
    ("mode-bogus", _tool("run_suite", {"source": "shop", "mode": "prod"}), "mode"),
    ("unknown-field", _tool("parse_api_doc", {"path": "x", "pth": 1}), "pth"),
    ("path-int", _tool("parse_api_doc", {"path": 3}), "path"),
    ("path-5000", _tool("parse_api_doc", {"path": "a" * 5000}), "longer than 4096"),
    ("path-nul", _tool("parse_api_doc", {"path": "a\x00b"}), "NUL"),
    ("workspace-5000", _tool("run_suite", {"source": "shop", "workspace": "w" * 5000}), "4096"),
    ("source-dir-5000", _tool("review_connector", {"source_dir": "d" * 5000}), "4096"),
    ("no-source", _tool("validate_auth", {}), "source"),
    # JSON given on the command line or in a file
    ("json-bad", _tool_raw("parse_api_doc", "{path: x}"), "not valid JSON"),
    ("json-list", _tool_raw("parse_api_doc", "[1]"), "JSON object"),
    ("json-null", _tool_raw("parse_api_doc", "null"), "JSON object"),
    ("json-deep-inline", _tool_raw("parse_api_doc", "[" * 5000 + "]" * 5000), "nests deeper"),
    ("file-deep-100000", _file("parse_api_doc", _deep(100_000)), "nests deeper"),
    ("file-deep-object", _file("parse_api_doc", b'{"a":' * 5000 + b"1" + b"}" * 5000), "deeper"),
    ("file-binary", _file("parse_api_doc", bytes(range(256)) * 4), "binary"),
    ("file-latin1", _file("parse_api_doc", b'{"path": "caf\xe9"}'), "not UTF-8"),
    ("file-too-big", _file("parse_api_doc", b" " * (MAX_INPUT_BYTES + 1)), "larger than"),
    ("file-empty", _file("parse_api_doc", b""), "not valid JSON"),
    ("file-missing", lambda tmp: ["tool", "parse_api_doc", "--input-file", str(tmp / "no")], "not"),
    ("file-is-dir", lambda tmp: ["tool", "parse_api_doc", "--input-file", str(tmp)], "not found"),
    ("unknown-tool", _tool("parse_doc", {}), "unknown tool"),
    # output paths outside the workspace
    (
        "spec-out-dir-escapes",
        _tool(
            "generate_connector_spec",
            {
                "path": str(DOC),
                "source": "shop",
                "workspace": "{ws}",
                "out_dir": "{ws}/../../escaped_out",
            },
        ),
        "outside the workspace",
    ),
    (
        "spec-out-dir-absolute",
        _tool(
            "generate_connector_spec",
            {"path": str(DOC), "workspace": "{ws}", "out_dir": "/tmp/elsewhere-out"},
        ),
        "outside the workspace",
    ),
    # API docs: size, encoding, existence
    ("doc-too-big", _doc(b"# x\n" + b"a" * MAX_DOC_BYTES), "the limit is 4 MB"),
    ("doc-binary", _doc(bytes(range(128, 256)) * 10), "not UTF-8"),
    ("doc-empty", _doc(b""), "describes no table"),
    ("doc-no-tables", _doc(b"# Shop API\n\nNothing here.\n"), "describes no table"),
    ("parse-doc-too-big", _parse(b"a" * (MAX_DOC_BYTES + 1)), "the limit is"),
    ("parse-doc-binary", _parse(b"\xff\xfe\x00\x01" * 100), "not UTF-8"),
    ("parse-doc-missing", _tool("parse_api_doc", {"path": "/no/such/doc.md"}), "not found"),
    ("parse-doc-dir", _tool("parse_api_doc", {"path": "/"}), "not a file"),
    ("create-doc-missing", lambda tmp: ["create", "shop", "--doc", str(tmp / "no.md")], "exist"),
    # workspaces
    ("workspace-proc", _workspace("/proc/zz"), "cannot create the workspace"),
    ("workspace-under-file", _workspace("/etc/hostname/ws"), "workspace"),
    ("workspace-is-file", _ws_is_a_file, "not a folder"),
    ("workspace-long-name", _workspace("/tmp/" + "w" * 300), "too long"),
    (
        "resume-nothing",
        lambda tmp: ["create", "shop", "--resume", "--workspace", str(tmp)],
        "nothing",
    ),
    ("config-not-kv", lambda tmp: [*_create("shop")(tmp), "--config", "novalue"], "KEY=VALUE"),
    ("config-env-not-kv", lambda tmp: [*_create("shop")(tmp), "--config-env", "=X"], "KEY=VALUE"),
]


@pytest.mark.parametrize(("build", "expect"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_exits_2_with_one_line_and_a_hint(tmp_path, capsys, build, expect):
    argv = build(tmp_path)
    code = main(argv)
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 2, err[-2000:]
    assert out == ""
    assert "Traceback" not in err
    assert len(lines) == 2, lines
    assert lines[0].startswith("error: ") and lines[1].startswith("hint: "), lines
    assert expect.lower() in lines[0].lower(), lines[0][:300]
    # a huge value is never echoed whole
    assert len(err) < 1000, err[:300]
    assert not (tmp_path / "escaped_out").exists()
    assert not Path("/tmp/elsewhere-out").exists()


def test_the_matrix_has_at_least_100_cases():
    assert len(CASES) >= 100
    assert len({c[0] for c in CASES}) == len(CASES)
