"""The import probe package verification runs in a fresh interpreter."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from skillpack.package._verify import probe_checks, run_probe

BARE = [sys.executable, "-I", "-S", "-B"]


def _module(tmp_path: Path, list_tables_body: str) -> Path:
    path = tmp_path / "standalone_connector.py"
    code = f"""
        class StandaloneLakeflowConnect:
            def __init__(self, options):
                if "token" not in options:
                    raise ValueError("missing option `token`")
                self.options = options

            def list_tables(self):
                {list_tables_body}

            def read_table(self, table_name, start_offset, table_options):
                return iter([]), {{}}
    """
    path.write_text(textwrap.dedent(code), encoding="utf-8")
    return path


def _probe(tmp_path: Path, module: Path, config: dict, python: list[str] = BARE) -> dict:
    request = {"file": str(module), "config": config, "skillpack": "absent"}
    return run_probe(python, request, tmp_path, timeout_s=60)


def test_lists_tables_of_a_module_that_needs_nothing(tmp_path):
    module = _module(tmp_path, 'return ["a", "b"]')
    answer = _probe(tmp_path, module, {"token": "stand-in"})
    checks = probe_checks("single_file", answer, module.name)
    assert [(c.name, c.status) for c in checks] == [
        ("single_file_import", "passed"),
        ("single_file_list_tables", "passed"),
    ]
    assert checks[1].detail == "tables: a, b"


def test_a_connector_that_reaches_the_network_is_skipped_not_run(tmp_path):
    body = 'import socket; socket.create_connection(("127.0.0.1", 9)); return []'
    answer = _probe(tmp_path, _module(tmp_path, body), {"token": "stand-in"})
    assert answer["list_tables"] == "skipped"
    assert "needs the source" in answer["detail"] and "127.0.0.1" in answer["detail"]


def test_a_raising_list_tables_fails(tmp_path):
    answer = _probe(tmp_path, _module(tmp_path, 'raise KeyError("tables.json")'), {"token": "x"})
    assert answer["list_tables"] == "failed"
    assert "KeyError" in answer["detail"]


def test_refused_stand_in_config_is_skipped_with_the_reason(tmp_path):
    answer = _probe(tmp_path, _module(tmp_path, "return []"), {})
    assert answer["imported"] is True
    assert answer["list_tables"] == "skipped"
    assert "missing option `token`" in answer["detail"]


def test_the_pack_must_be_absent_when_asked(tmp_path):
    # With site-packages (no -S), this environment's pack is importable: the probe must say so.
    answer = _probe(tmp_path, _module(tmp_path, "return []"), {}, [sys.executable, "-I", "-B"])
    assert answer["imported"] is False
    assert "skillpack is importable here" in answer["detail"]


@pytest.mark.parametrize("secret_key", ["password", "api_key"])
def test_details_never_show_secret_option_values(tmp_path, secret_key):
    body = "raise RuntimeError(str(self.options))"
    secret = "s3cr3t-value-for-probe"
    answer = _probe(tmp_path, _module(tmp_path, body), {"token": "x", secret_key: secret})
    assert answer["list_tables"] == "failed"
    assert secret not in answer["detail"]
