"""validate_auth against real local sources: Kinto, the example API, and misbehaving connectors."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from skillpack.auth.validate import PROBE
from skillpack.cli import main
from skillpack.create.demo import copy_bundled_workspace
from skillpack.errors import ConfigError, InputError
from skillpack.examples.example_api import DEFAULT_API_KEY, serve_example_api
from skillpack.layout import source_paths
from skillpack.testing.eventually import eventually
from skillpack.testing.kinto_server import KintoServer, run_kinto
from skillpack.tools import (
    ValidateAuthIn,
    WriteCredentialsIn,
    validate_auth,
    write_credentials,
)

WRONG_PASSWORD = "PLANTED-wrong-password-8842"
VIEWER_PASSWORD = "PLANTED-viewer-password-1177"
ECHOED_KEY = "PLANTED-echoed-key-3310"


@pytest.fixture(scope="module")
def kinto() -> Iterator[KintoServer]:
    """One seeded Kinto for the module, plus a second account with no rights on the bucket."""
    with run_kinto() as server:
        created = requests.put(
            f"{server.url}/accounts/viewer",
            json={"data": {"password": VIEWER_PASSWORD}},
            timeout=10,
        )
        assert created.status_code == 201
        yield server


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return copy_bundled_workspace(tmp_path_factory.mktemp("auth") / "ws")


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _check(workspace: Path, source: str, config: dict | None, **kwargs) -> dict:
    out = validate_auth(
        ValidateAuthIn(source=source, workspace=str(workspace), config=config, **kwargs)
    )
    return out.model_dump()


def _no_leak(texts: list[str], *secrets: str) -> None:
    for secret in secrets:
        for text in texts:
            assert secret not in text


def test_kinto_good_credentials_are_ok(kinto, workspace, capfd, caplog):
    caplog.set_level(logging.DEBUG)
    out = _check(workspace, "kinto", kinto.config())
    assert (out["verdict"], out["ok"], out["stage"]) == ("ok", True, "done")
    assert {"collections", "tasks", "notes"} <= set(out["tables"])
    assert out["fix"] == ""
    captured = capfd.readouterr()
    _no_leak([json.dumps(out), captured.out, captured.err, caplog.text], kinto.password)


def test_kinto_wrong_password_is_bad_credentials(kinto, workspace, capfd, caplog):
    caplog.set_level(logging.DEBUG)
    out = _check(workspace, "kinto", {**kinto.config(), "password": WRONG_PASSWORD})
    assert (out["verdict"], out["ok"], out["stage"]) == ("bad_credentials", False, "list_tables")
    assert "401" in out["detail"]
    assert "skillpack auth kinto" in out["fix"]
    captured = capfd.readouterr()
    _no_leak([json.dumps(out), captured.out, captured.err, caplog.text], WRONG_PASSWORD)


def test_kinto_account_without_rights_is_not_permitted(kinto, workspace):
    config = {**kinto.config(), "username": "viewer", "password": VIEWER_PASSWORD}
    out = _check(workspace, "kinto", config)
    assert (out["verdict"], out["stage"]) == ("not_permitted", "list_tables")
    assert "403" in out["detail"] and "permission" in out["fix"]
    _no_leak([json.dumps(out)], VIEWER_PASSWORD)


def test_unused_port_is_unreachable(workspace, capfd):
    port = _unused_port()
    config = {
        "base_url": f"http://127.0.0.1:{port}/v1",
        "bucket": "skillpack",
        "username": "admin",
        "password": WRONG_PASSWORD,
    }
    out = _check(workspace, "kinto", config)
    assert (out["verdict"], out["stage"]) == ("unreachable", "connect")
    assert f"127.0.0.1:{port}" in out["detail"] and "base_url" in out["fix"]
    captured = capfd.readouterr()
    _no_leak([json.dumps(out), captured.out, captured.err], WRONG_PASSWORD)


def test_missing_option_is_misconfigured(workspace):
    out = _check(workspace, "kinto", {"base_url": "http://127.0.0.1:9/v1", "username": "admin"})
    assert (out["verdict"], out["stage"]) == ("misconfigured", "init")
    assert "`bucket`" in out["detail"] and "write_credentials" in out["fix"]


def test_reads_one_record_because_some_sources_check_keys_only_on_reads(workspace):
    with serve_example_api() as server:
        good = {"base_url": server.url, "api_key": DEFAULT_API_KEY}
        bad = {**good, "api_key": WRONG_PASSWORD}
        assert _check(workspace, "example", good)["verdict"] == "ok"
        listed_only = _check(workspace, "example", bad, read_sample=False)
        read = _check(workspace, "example", bad)
    # The example connector lists its tables without a request, so only the read can tell.
    assert listed_only["verdict"] == "ok"
    assert (read["verdict"], read["stage"]) == ("bad_credentials", "read")
    _no_leak([json.dumps(read)], WRONG_PASSWORD)


def test_checks_what_write_credentials_wrote(kinto, tmp_path):
    ws = copy_bundled_workspace(tmp_path / "ws")
    with pytest.raises(ConfigError) as err:
        validate_auth(ValidateAuthIn(source="kinto", workspace=str(ws)))
    assert "skillpack auth kinto" in err.value.hint
    written = write_credentials(
        WriteCredentialsIn(source="kinto", workspace=str(ws), values=kinto.config())
    )
    assert written.complete
    out = validate_auth(ValidateAuthIn(source="kinto", workspace=str(ws)))
    assert (out.verdict, out.config_from) == ("ok", str(source_paths("kinto", ws).dev_config))
    assert kinto.password not in out.model_dump_json()


def _connector(ws: Path, name: str, body: str) -> None:
    folder = ws / "sources" / name
    folder.mkdir(parents=True)
    (folder / f"{name}.py").write_text(body)


_HANGING = """
import os, subprocess, sys, threading
from pathlib import Path

class HangingLakeflowConnect:
    def __init__(self, options):
        # A helper process of its own, holding none of the probe's pipes.
        helper = subprocess.Popen(
            [sys.executable, "-c", "import threading; threading.Event().wait()"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        Path(options["pid_file"]).write_text(f"{os.getpid()} {helper.pid}")
    def list_tables(self):
        threading.Event().wait()
    def read_table(self, table_name, start_offset, table_options):
        return iter([]), {}
"""

_ECHOING = """
class EchoLakeflowConnect:
    def __init__(self, options):
        self.options = options
    def list_tables(self):
        print("connecting with", self.options["api_key"])
        raise RuntimeError(f"server said: bad key {self.options['api_key']}")
    def read_table(self, table_name, start_offset, table_options):
        return iter([]), {}
"""


def _running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_hanging_connector_is_stopped_at_the_timeout(tmp_path):
    _connector(tmp_path, "hanging", _HANGING)
    pid_file = tmp_path / "pid"
    out = validate_auth(
        ValidateAuthIn(
            source="hanging",
            workspace=str(tmp_path),
            config={"pid_file": str(pid_file)},
            timeout_s=1.5,
        )
    )
    assert (out.verdict, out.stage) == ("unreachable", "list_tables")
    assert "did not finish within 1.5s" in out.detail
    # The probe and the process it started were both stopped, not left running.
    pids = [int(p) for p in pid_file.read_text().split()]
    eventually(lambda: not any(map(_running, pids)), timeout=10, message="probe still running")


def test_secret_echoed_by_a_connector_is_masked(tmp_path, capfd, caplog):
    caplog.set_level(logging.DEBUG)
    _connector(tmp_path, "echo", _ECHOING)
    out = validate_auth(
        ValidateAuthIn(source="echo", workspace=str(tmp_path), config={"api_key": ECHOED_KEY})
    )
    assert (out.verdict, out.stage) == ("error", "list_tables")
    assert "RuntimeError: server said: bad key ***" in out.detail
    captured = capfd.readouterr()
    _no_leak([out.model_dump_json(), captured.out, captured.err, caplog.text], ECHOED_KEY)


def test_connector_that_does_not_import_is_an_error(tmp_path):
    _connector(tmp_path, "broken", "import no_such_module_anywhere\n")
    out = validate_auth(ValidateAuthIn(source="broken", workspace=str(tmp_path), config={}))
    assert (out.verdict, out.stage) == ("error", "import")
    assert "no_such_module_anywhere" in out.detail


def test_missing_connector_module_is_input_error(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        validate_auth(ValidateAuthIn(source="nothing_here", workspace=str(tmp_path), config={}))


def test_cli_prints_the_verdict_and_never_the_password(kinto, workspace, capsys):
    config = {**kinto.config(), "password": WRONG_PASSWORD}
    data = {"source": "kinto", "workspace": str(workspace), "config": config}
    assert main(["tool", "validate_auth", "--input", json.dumps(data)]) == 1  # gate `ok` false
    captured = capsys.readouterr()
    assert json.loads(captured.out)["verdict"] == "bad_credentials"
    _no_leak([captured.out, captured.err], WRONG_PASSWORD, kinto.password)


_CRASHING = """
import os

class CrashLakeflowConnect:
    def __init__(self, options):
        self.options = options
    def list_tables(self):
        print("about to fail with key", self.options["api_key"], flush=True)
        os._exit(3)
    def read_table(self, table_name, start_offset, table_options):
        return iter([]), {}
"""


def test_a_crashing_connector_is_an_error_and_its_output_is_masked(tmp_path):
    _connector(tmp_path, "crash", _CRASHING)
    out = validate_auth(
        ValidateAuthIn(source="crash", workspace=str(tmp_path), config={"api_key": ECHOED_KEY})
    )
    assert (out.verdict, out.stage) == ("error", "list_tables")
    assert "the probe crashed: about to fail with key ***" in out.detail
    assert ECHOED_KEY not in out.model_dump_json()


def test_the_probe_masks_secrets_in_what_it_reports(tmp_path):
    _connector(tmp_path, "echo", _ECHOING)
    job = {
        "module": "sources.echo.echo",
        "import_roots": [str(tmp_path)],
        "config": {"api_key": ECHOED_KEY},
        "secrets": [ECHOED_KEY],
    }
    done = subprocess.run(
        [sys.executable, str(PROBE)],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    stages = [x["stage"] for x in lines if "stage" in x]
    assert stages == ["import", "init", "connect", "list_tables"]
    assert lines[-1]["result"]["error"]["message"] == "server said: bad key ***"
    assert ECHOED_KEY not in done.stdout
    # What the connector printed went to stderr, not into the protocol.
    assert "connecting with" in done.stderr
