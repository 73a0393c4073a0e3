"""The Kinto connector against a real Kinto server.

The suites pass live and leave no test data behind; each kind of breakage fails its matching
test; recording scrubs every secret from the cassette; and the committed cassette replays with
nothing but itself answering.
"""

from __future__ import annotations

import base64
import json
import secrets
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import yaml

from skillpack.examples.workspace.tests.sources.kinto.kinto_test_utils import is_test_record
from skillpack.layout import bundled_workspace
from skillpack.testing.kinto_server import KintoServer

pytestmark = pytest.mark.e2e

HEADER = """
from skillpack.examples.workspace.sources.kinto.kinto import KintoLakeflowConnect
from skillpack.examples.workspace.tests.sources.kinto.kinto_test_utils import KintoTestUtils
from skillpack.testing import LakeflowConnectTests, LakeflowConnectWriteBackTests

class Broken(KintoLakeflowConnect):
{body}

class Utils(KintoTestUtils):
{utils}

class TestBroken(LakeflowConnectWriteBackTests, LakeflowConnectTests):
    connector_class = Broken
    test_utils_class = Utils
    read_timeout_s = 20
    max_read_iterations = 10
    write_visibility_timeout_s = 3
"""

PASS = "    pass"
COLLECTIONS = ("notes", "tasks")


def run_suite(
    pytester: pytest.Pytester,
    config: dict[str, Any],
    *,
    body: str = PASS,
    utils: str = PASS,
    mode: str = "live",
) -> pytest.RunResult:
    pytester.makepyfile(
        test_broken=HEADER.format(
            body=textwrap.indent(textwrap.dedent(body), "    "),
            utils=textwrap.indent(textwrap.dedent(utils), "    "),
        )
    )
    pytester._monkeypatch.setenv("CONNECTOR_TEST_MODE", mode)
    pytester._monkeypatch.setenv("CONNECTOR_TEST_CONFIG_JSON", json.dumps(config))
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", "-q")


def failure_text(result: pytest.RunResult, test: str) -> str:
    reports = [r for r in result.reprec.getreports("pytest_runtest_logreport") if r.failed]
    texts = [str(r.longrepr) for r in reports if r.nodeid.endswith(f"::{test}")]
    assert texts, f"{test} did not fail; failures: {[r.nodeid for r in reports]}"
    return texts[0]


def changes(server: KintoServer, collection: str) -> list[dict[str, Any]]:
    """Every record and tombstone of ``collection``, read over HTTP."""
    with server.client() as client:
        path = f"buckets/{server.bucket}/collections/{collection}/records"
        return client.get_json(path, params={"_since": 0})["data"]


def test_kinto_passes_both_suites_live_and_leaves_no_test_data(pytester, kinto_server):
    result = run_suite(pytester, kinto_server.config())
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == outcomes.get("errors", 0) == 0, result.stdout.str()
    # only the suite tests that do not apply to Kinto skip (no partitions, no batch size)
    assert outcomes.get("skipped", 0) <= 3, result.stdout.str()
    assert outcomes["passed"] >= 15
    for collection in COLLECTIONS:
        seen = changes(kinto_server, collection)
        # The seed left one tombstone per collection; the write-back tests added more...
        assert sum(1 for r in seen if r.get("deleted")) > 1
        # ...and cleanup removed every test record they wrote.
        assert [r["id"] for r in seen if not r.get("deleted") and is_test_record(r)] == []


def test_cursor_that_does_not_advance_is_caught(pytester, kinto_server):
    body = """
    def read_table(self, table_name, start_offset, table_options):
        records, _ = super().read_table(table_name, start_offset, table_options)
        return records, dict(start_offset or {})
    """
    result = run_suite(pytester, kinto_server.config(), body=body)
    text = failure_text(result, "test_reread_from_final_offset_is_empty")
    assert "[reread-not-empty]" in text and "`tasks`" in text


def test_ignored_tombstones_are_delete_missing(pytester, kinto_server):
    body = """
    def read_table_deletes(self, table_name, start_offset, table_options):
        records, offset = super().read_table_deletes(table_name, start_offset, table_options)
        return iter([r for r in records if not r.get("deleted")]), offset
    """
    result = run_suite(pytester, kinto_server.config(), body=body)
    assert "[delete-missing]" in failure_text(result, "test_delete_and_read_deletes")


def test_wrong_mapping_is_mapping_path_missing(pytester, kinto_server):
    utils = """
    def generate_rows_and_write(self, table_name, number_of_rows):
        ok, rows, mapping = super().generate_rows_and_write(table_name, number_of_rows)
        return ok, rows, {**mapping, "title": "name"}
    """
    result = run_suite(pytester, kinto_server.config(), utils=utils)
    text = failure_text(result, "test_incremental_after_write")
    assert "[mapping-path-missing]" in text and "`name`" in text


def _strings(node: Any) -> list[str]:
    """Every text and bytes value inside a loaded cassette, decoded."""
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    if isinstance(node, bytes):
        return [node.decode("utf-8", errors="replace")]
    return [node] if isinstance(node, str) else []


def test_recording_scrubs_secrets_and_the_cassette_replays_offline(pytester, kinto_server):
    planted = f"planted-{secrets.token_hex(8)}"
    with kinto_server.client() as client:
        client.post(
            f"buckets/{kinto_server.bucket}/collections/notes/records",
            json={"data": {"title": "Planted", "body": planted, "words": 1, "pinned": False}},
        )
    config = {**kinto_server.config(), "webhook_secret": planted}
    recorded = run_suite(pytester, config, mode="record")
    assert recorded.parseoutcomes().get("failed", 0) == 0, recorded.stdout.str()

    cassette = pytester.path / "cassettes" / "TestBroken.yaml"
    text = cassette.read_text(encoding="utf-8")
    basic = base64.b64encode(f"{kinto_server.username}:{kinto_server.password}".encode()).decode()
    loaded = "\n".join(_strings(yaml.safe_load(text)))
    for secret in (kinto_server.password, basic, planted):
        assert secret not in text
        assert secret not in loaded
    assert '"body":"***"' in loaded  # the planted record was recorded, masked
    assert "Authorization" not in text

    stand_in = {**kinto_server.config(), "base_url": "http://127.0.0.1:9/v1", "password": "x-y-z"}
    kinto_server.stop()  # nothing live is left to answer
    replayed = run_suite(pytester, stand_in, mode="simulate")
    outcomes = replayed.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, replayed.stdout.str()
    assert outcomes["passed"] >= 12  # the suite tests that apply offline


class _Trap(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_error(500)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_committed_cassette_replays_with_nothing_else_answering(pytester):
    trap = ThreadingHTTPServer(("127.0.0.1", 0), _Trap)
    thread = threading.Thread(target=trap.serve_forever, daemon=True)
    thread.start()
    tests = bundled_workspace() / "tests" / "sources" / "kinto"
    config = json.loads((tests / "configs" / "replay_config.json").read_text())
    config["base_url"] = f"http://127.0.0.1:{trap.server_address[1]}/v1"
    pytester._monkeypatch.setenv("CONNECTOR_TEST_MODE", "simulate")
    pytester._monkeypatch.setenv("CONNECTOR_TEST_CONFIG_JSON", json.dumps(config))
    try:
        # A fresh process: the bundled test module may already be imported in this one.
        result = pytester.runpytest_subprocess(
            str(tests / "test_kinto.py"), "-p", "no:cacheprovider"
        )
    finally:
        trap.shutdown()
        trap.server_close()
        thread.join()
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    assert outcomes["passed"] >= 12 and outcomes.get("errors", 0) == 0
    assert _Trap.hits == 0
