"""Record, replay and simulate: secrets never reach a cassette, a replay needs nothing but the
cassette, a miss says how to re-record, and the spec simulator runs the suite offline."""

from __future__ import annotations

import json
import shutil
import socket
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
import yaml
from vcr.request import Request

from skillpack.errors import InputError
from skillpack.examples.example_api import DEFAULT_API_KEY
from skillpack.examples.workspace.sources.kinto.kinto import KintoLakeflowConnect
from skillpack.layout import bundled_workspace
from skillpack.testing._cassette import Scrubber, config_secrets
from skillpack.testing._netguard import NetworkBlocked, block_network
from skillpack.testing._spec_model import load_spec
from skillpack.testing._spec_simulator import serve_spec

EXAMPLE_HEADER = """
from skillpack.examples.example_api import example_service
from skillpack.examples.workspace.sources.example.example import ExampleLakeflowConnect
from skillpack.examples.workspace.tests.sources.example.example_test_utils import ExampleTestUtils
from skillpack.testing import LakeflowConnectTests, LakeflowConnectWriteBackTests

class Connector(ExampleLakeflowConnect):
{body}

class TestRecorded(LakeflowConnectWriteBackTests, LakeflowConnectTests):
    connector_class = Connector
    test_utils_class = ExampleTestUtils
    local_service = example_service
"""

SPEC_TEST = """
from skillpack.examples.workspace.sources.{name}.{name} import {connector}
from skillpack.testing import LakeflowConnectTests

class Broken({connector}):
{body}

class TestSpec{title}(LakeflowConnectTests):
    connector_class = Broken
    read_timeout_s = 10
"""

STAND_IN = {"base_url": "http://127.0.0.1:9/v1", "api_key": "stand-in-key-0002"}


def _run(pytester: pytest.Pytester, mode: str, config: dict | None = None) -> pytest.RunResult:
    pytester._monkeypatch.setenv("CONNECTOR_TEST_MODE", mode)
    if config is None:
        pytester._monkeypatch.delenv("CONNECTOR_TEST_CONFIG_JSON", raising=False)
    else:
        pytester._monkeypatch.setenv("CONNECTOR_TEST_CONFIG_JSON", json.dumps(config))
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", "-q")


def _failures(result: pytest.RunResult) -> dict[str, str]:
    reports = result.reprec.getreports("pytest_runtest_logreport")
    return {r.nodeid.rsplit("::", 1)[-1]: str(r.longrepr) for r in reports if r.failed}


def _example_file(pytester: pytest.Pytester, body: str = "    pass") -> Path:
    return pytester.makepyfile(test_recorded=EXAMPLE_HEADER.format(body=body))


def _cassette_text(pytester: pytest.Pytester) -> str:
    return (pytester.path / "cassettes" / "TestRecorded.yaml").read_text(encoding="utf-8")


# ------------------------------------------------------------------------- network guard


class _CountingHandler(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    _CountingHandler.hits = 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_network_block_refuses_remote_hosts_at_once_but_not_loopback(local_server):
    with block_network(why="test"):
        assert requests.get(local_server, timeout=5).text == "ok"
        with pytest.raises(NetworkBlocked, match=r"^\[simulator-miss\].*203\.0\.113\.7:80"):
            socket.create_connection(("203.0.113.7", 80), timeout=5)
        with pytest.raises(NetworkBlocked, match=r"example\.invalid"):
            requests.get("http://example.invalid/x", timeout=5)
    assert "connect" not in vars(socket.socket)
    assert socket.getaddrinfo.__module__ == "socket"


def test_network_block_without_loopback_reaches_no_local_server(local_server):
    with block_network(allow_loopback=False, why="replay"), pytest.raises(NetworkBlocked):
        requests.get(local_server, timeout=5)
    assert _CountingHandler.hits == 0


# ------------------------------------------------------------------------------ scrubbing


def test_scrubber_drops_credentials_and_masks_secret_values_everywhere():
    secrets = config_secrets({"username": "admin", "password": "pw-Secret-123", "page": "2"})
    request = Request(
        "POST",
        "http://127.0.0.1:5/v1/x?api_key=k-000&page=2&note=pw-Secret-123",
        b'{"data": {"text": "pw-Secret-123"}}',
        {"Authorization": "Basic YWRtaW46cHctU2VjcmV0LTEyMw==", "Cookie": "s=1", "Accept": "*/*"},
    )
    scrubbed = Scrubber(secrets).request(request)
    assert set(scrubbed.headers) == {"Accept"}
    assert scrubbed.uri == "http://127.0.0.1:5/v1/x?api_key=***&page=2&note=***"
    assert scrubbed.body == b'{"data": {"text": "***"}}'

    body = b'{"echo": "pw-Secret-123", "auth": "YWRtaW46cHctU2VjcmV0LTEyMw=="}'
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Content-Length": [str(len(body))], "Set-Cookie": ["s=1"]},
        "body": {"string": body},
    }
    out = Scrubber(secrets).response(response)
    assert out["body"]["string"] == b'{"echo": "***", "auth": "***"}'
    assert out["headers"] == {"Content-Length": [str(len(out["body"]["string"]))]}


# ------------------------------------------------------------------------ record, replay


def test_record_writes_a_cassette_without_the_api_key(pytester):
    _example_file(pytester)
    result = _run(pytester, "record")
    assert result.parseoutcomes().get("failed", 0) == 0, result.stdout.str()
    text = _cassette_text(pytester)
    assert text.count("- request:") > 10
    assert DEFAULT_API_KEY not in text
    assert "Authorization" not in text and "Bearer" not in text


def test_replay_answers_from_the_cassette_alone(pytester):
    _example_file(pytester)
    assert _run(pytester, "record").parseoutcomes().get("failed", 0) == 0
    # A dead port and another key: only the cassette can answer, whatever the port.
    result = _run(pytester, "simulate", STAND_IN)
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    assert outcomes["passed"] >= 10


def test_unrecorded_request_is_a_simulator_miss_naming_method_and_url(pytester):
    _example_file(pytester)
    assert _run(pytester, "record").parseoutcomes().get("failed", 0) == 0
    _example_file(
        pytester,
        """
    def list_tables(self):
        self._client.get("products", params={"limit": 7})
        return super().list_tables()
    """,
    )
    text = _failures(_run(pytester, "simulate", STAND_IN))["test_list_tables"]
    assert "[simulator-miss]" in text
    assert "GET http://127.0.0.1:9/v1/products?limit=7" in text
    assert "CONNECTOR_TEST_MODE=record" in text


def test_simulate_without_cassette_or_spec_meets_the_network_block(pytester):
    _example_file(pytester)
    remote = {**STAND_IN, "base_url": "http://198.51.100.4/v1"}
    text = _failures(_run(pytester, "simulate", remote))["test_read_table"]
    assert "[simulator-miss]" in text and "198.51.100.4:80" in text


# ---------------------------------------------------------------------- spec simulator


def _spec_workspace(pytester: pytest.Pytester, name: str, body: str = "    pass") -> None:
    """A workspace in the pytester folder: the source's spec and a test file without service."""
    source = pytester.path / "sources" / name
    source.mkdir(parents=True)
    shutil.copy(bundled_workspace() / "sources" / name / "simulator_spec.yaml", source)
    tests = pytester.path / "tests" / "sources" / name
    tests.mkdir(parents=True)
    connector = {"example": "ExampleLakeflowConnect", "kinto": "KintoLakeflowConnect"}[name]
    (tests / f"test_spec_{name}.py").write_text(
        SPEC_TEST.format(
            name=name,
            connector=connector,
            title=name.title(),
            body=textwrap.indent(textwrap.dedent(body), "    "),
        )
    )


@pytest.mark.parametrize("name", ["example", "kinto"])
def test_spec_simulator_runs_the_generic_suite_offline(pytester, name):
    _spec_workspace(pytester, name)
    result = _run(pytester, "simulate")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    # the generic suite; the example also has partitions, so its partition check runs
    assert outcomes["passed"] == {"example": 12, "kinto": 11}[name]


def test_without_the_spec_the_same_run_has_no_source(pytester):
    _spec_workspace(pytester, "example")
    (pytester.path / "sources" / "example" / "simulator_spec.yaml").unlink()
    failures = _failures(_run(pytester, "simulate"))
    assert "[connector-init]" in failures["test_initialization"]


def test_spec_simulator_filters_by_cursor_so_an_ignored_offset_is_caught(pytester):
    body = """
    def read_table(self, table_name, start_offset, table_options):
        records, offset = super().read_table(table_name, None, table_options)
        return records, offset
    """
    _spec_workspace(pytester, "example", body)
    text = _failures(_run(pytester, "simulate"))["test_reread_from_final_offset_is_empty"]
    assert "[reread-not-empty]" in text and "customers" in text


@pytest.fixture
def kinto_spec():
    spec = load_spec(bundled_workspace() / "sources" / "kinto" / "simulator_spec.yaml")
    config = dict(spec.config)
    with serve_spec(spec, config) as simulator:
        config["base_url"] = simulator.url
        simulator.prepare(lambda: KintoLakeflowConnect(config))
        yield simulator


def test_spec_pages_with_next_page_header_and_lists_tombstones_only_to_incremental_reads(
    kinto_spec,
):
    url = f"{kinto_spec.url}/buckets/skillpack/collections/notes/records"
    auth = ("admin", "x")
    first = requests.get(url, params={"_limit": 5}, auth=auth, timeout=5)
    ids = [r["id"] for r in first.json()["data"]]
    pages = 1
    nxt = first.headers.get("Next-Page")
    while nxt:
        page = requests.get(nxt, auth=auth, timeout=5)
        ids += [r["id"] for r in page.json()["data"]]
        nxt, pages = page.headers.get("Next-Page"), pages + 1
    assert pages == 3 and len(ids) == len(set(ids)) == 12
    changed = requests.get(url, params={"_since": 10}, auth=auth, timeout=5).json()["data"]
    assert [(r["last_modified"], r.get("deleted", False)) for r in changed] == [
        (11, False),
        (12, False),
        (13, True),
        (14, True),
    ]


def test_spec_serves_fixed_endpoints_401_without_auth_and_404_naming_the_spec(kinto_spec):
    tasks = f"{kinto_spec.url}/buckets/skillpack/collections/tasks"
    fixed = requests.get(tasks, auth=("a", "b"), timeout=5)
    assert fixed.json()["data"]["schema"]["properties"]["done"] == {"type": "boolean"}
    assert requests.get(f"{kinto_spec.url}/buckets", timeout=5).status_code == 401
    missing = requests.get(f"{kinto_spec.url}/buckets", auth=("a", "b"), timeout=5)
    assert missing.status_code == 404
    assert "simulator_spec.yaml" in missing.json()["message"]


def test_bad_spec_names_the_file_and_key(tmp_path):
    path = tmp_path / "simulator_spec.yaml"
    path.write_text(
        yaml.safe_dump({"tables": {"t": {"endpoint": "/t", "pagination": {"type": "pages"}}}})
    )
    with pytest.raises(InputError, match=r"simulator_spec\.yaml: `tables\.t\.pagination\.type`"):
        load_spec(path)
