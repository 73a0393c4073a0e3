"""write_test_utils: generated write-back utilities that the suites accept, live."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from skillpack.create.demo import copy_bundled_workspace
from skillpack.errors import InputError
from skillpack.examples.example_api import serve_example_api
from skillpack.tools import WriteTestUtilsIn, write_test_utils
from skillpack.writeback._test_file_patch import wire_test_file

NO_WRITES_DOC = """# Tiny API

## Overview

- **Source name:** `tiny`
- **Base URL:** `https://api.tiny.test/v1`

## Tables

### `things`

- **Primary key:** `id`
- **Ingestion type:** `snapshot`
- **Read endpoint:** `GET /things`

| Field | Type | Description |
|---|---|---|
| `id` | string | Id. |
"""

ENVELOPE_DOC = (
    NO_WRITES_DOC
    + """
## Write-back

### `things`

- **Insert:** `POST /things`
- **Delete:** `DELETE /things/{id}`

Request body fields (wrapped in `data`):

| Field | Type | Required | Description |
|---|---|---|---|
| `data.label` | string | yes | Label; read back as `meta.label`. |
| `data.size` | integer | no | Size. |
"""
)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    """A copy of the bundled workspace whose example utils were deleted and regenerated."""
    root = copy_bundled_workspace(tmp_path_factory.mktemp("ws") / "workspace")
    (root / "tests/sources/example/example_test_utils.py").unlink()
    out = write_test_utils(WriteTestUtilsIn(source="example", workspace=str(root)))
    return root, out


def _ruff() -> str:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        if os.environ.get("CI") == "true":
            raise AssertionError("ruff missing: install the dev extra")
        pytest.skip("ruff missing: pip install 'connector-skillpack[dev]'")
    return ruff


def test_regenerated_utils_pass_all_write_back_tests_live_and_leave_nothing(regenerated):
    root, _ = regenerated
    with serve_example_api() as server:
        before = {
            "customers": set(server.store.customers),
            "orders": set(server.store.orders),
            "events": {e["event_id"] for e in server.store.events},
        }
        env = {
            **os.environ,
            "CONNECTOR_TEST_MODE": "live",
            "CONNECTOR_TEST_CONFIG_JSON": json.dumps(
                {"base_url": server.url, "api_key": server.api_key}
            ),
        }
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/sources/example",
            ],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stdout[-3000:]
        assert "16 passed" in run.stdout  # generic (partition check included) + write-back
        after = {
            "customers": set(server.store.customers),
            "orders": set(server.store.orders),
            "events": {e["event_id"] for e in server.store.events},
        }
        assert after == before  # every test row was deleted again
        assert server.store.order_tombstones  # ... and the delete test really deleted


def test_nested_field_gets_a_dot_path_mapping(regenerated):
    _, out = regenerated
    customers = next(t for t in out.tables if t.table == "customers")
    assert customers.column_mapping["city"] == "address.city"
    assert [t.table for t in out.tables if t.deletable] == ["orders"]


def test_generated_file_is_formatted_lint_clean_and_imports(regenerated):
    _, out = regenerated
    utils = Path(out.utils_file)
    ruff = _ruff()
    for args in (["format", "--check"], ["check"]):
        done = subprocess.run([ruff, *args, str(utils)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    probe = subprocess.run(
        [sys.executable, "-c", "import example_test_utils as m; print(m.ExampleTestUtils.tables)"],
        cwd=utils.parent,
        capture_output=True,
        text=True,
    )
    assert probe.returncode == 0 and "customers" in probe.stdout, probe.stderr


def test_running_twice_changes_nothing(regenerated):
    root, out = regenerated
    utils = Path(out.utils_file)
    before = utils.read_bytes(), Path(out.test_file).read_bytes()
    again = write_test_utils(WriteTestUtilsIn(source="example", workspace=str(root)))
    assert again.files_written == []
    assert (utils.read_bytes(), Path(out.test_file).read_bytes()) == before


def test_hand_written_utils_are_not_replaced(tmp_path):
    root = copy_bundled_workspace(tmp_path / "ws")
    utils = root / "tests/sources/example/example_test_utils.py"
    original = utils.read_bytes()
    with pytest.raises(InputError, match="written by hand") as info:
        write_test_utils(WriteTestUtilsIn(source="example", workspace=str(root)))
    assert "overwrite" in info.value.hint
    assert utils.read_bytes() == original


def _tiny_workspace(root: Path, doc: str) -> Path:
    src = root / "sources/tiny"
    src.mkdir(parents=True)
    (src / "tiny_api_doc.md").write_text(doc)
    return root


def test_doc_without_write_back_is_skipped_and_writes_nothing(tmp_path):
    root = _tiny_workspace(tmp_path, NO_WRITES_DOC)
    out = write_test_utils(WriteTestUtilsIn(source="tiny", workspace=str(root)))
    assert out.skipped and "no insert endpoint" in out.reason
    assert not (root / "tests").exists()


def test_production_config_is_refused(tmp_path):
    root = _tiny_workspace(tmp_path, ENVELOPE_DOC)
    config = root / "sources/tiny/configs/dev_config.json"
    config.parent.mkdir()
    config.write_text(json.dumps({"environment": "production"}))
    with pytest.raises(InputError, match="production") as info:
        write_test_utils(WriteTestUtilsIn(source="tiny", workspace=str(root)))
    assert info.value.code == "production-config"
    assert not (root / "tests").exists()


def test_enveloped_body_and_read_back_hint_shape_the_mapping(tmp_path):
    root = _tiny_workspace(tmp_path, ENVELOPE_DOC)
    out = write_test_utils(WriteTestUtilsIn(source="tiny", workspace=str(root)))
    (things,) = out.tables
    assert things.column_mapping == {"label": "meta.label", "id": "id"}
    assert things.unmapped_fields == ["size"]
    text = Path(out.utils_file).read_text()
    assert 'envelope="data"' in text and "key_in_body=False" in text
    created = Path(out.test_file).read_text()
    assert (
        "class TestTinyConnector(LakeflowConnectWriteBackTests, LakeflowConnectTests):" in created
    )
    assert "test_utils_class = TinyTestUtils" in created


def test_upstream_checkout_is_detected(tmp_path):
    src = tmp_path / "src/databricks/labs/community_connector/sources/tiny"
    src.mkdir(parents=True)
    (src / "tiny_api_doc.md").write_text(ENVELOPE_DOC)
    out = write_test_utils(WriteTestUtilsIn(source="tiny", workspace=str(tmp_path)))
    assert out.utils_class == "LakeflowConnectWriteTestUtils"
    test_file = Path(out.test_file)
    assert test_file == tmp_path / "tests/unit/sources/tiny/test_tiny_lakeflow_connect.py"
    text = test_file.read_text()
    assert (
        "from tests.unit.sources.tiny.tiny_test_utils import LakeflowConnectWriteTestUtils" in text
    )
    assert "databricks.labs.community_connector.sources.tiny.tiny import" in text


USER_TEST_FILE = '''"""My tests."""

# keep this comment
from skillpack.testing import LakeflowConnectTests
from sources.shop.shop import ShopLakeflowConnect


class TestShop(LakeflowConnectTests):
    connector_class = ShopLakeflowConnect  # the connector
    sample_records = 10

    def test_extra(self):
        assert True is not False
'''


def test_patch_adds_mixin_first_and_keeps_user_code():
    patched = wire_test_file(
        USER_TEST_FILE,
        utils_class="ShopTestUtils",
        utils_import="from shop_test_utils import ShopTestUtils",
        mixin_import="from skillpack.testing import LakeflowConnectWriteBackTests",
    )
    assert "class TestShop(LakeflowConnectWriteBackTests, LakeflowConnectTests):" in patched
    assert (
        "from skillpack.testing import LakeflowConnectTests, LakeflowConnectWriteBackTests"
        in patched
    )
    assert "from shop_test_utils import ShopTestUtils" in patched
    assert "# keep this comment" in patched and "# the connector" in patched
    assert "def test_extra(self):" in patched and "sample_records = 10" in patched
    lines = patched.splitlines()
    assert (
        lines.index("    test_utils_class = ShopTestUtils")
        == lines.index("    connector_class = ShopLakeflowConnect  # the connector") + 1
    )
    again = wire_test_file(
        patched,
        utils_class="ShopTestUtils",
        utils_import="from shop_test_utils import ShopTestUtils",
        mixin_import="from skillpack.testing import LakeflowConnectWriteBackTests",
    )
    assert again == patched


def test_cli_bad_source_name_exits_2_without_traceback(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "skillpack",
            "tool",
            "write_test_utils",
            "--input",
            json.dumps({"source": "Bad-Name", "workspace": str(tmp_path)}),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "source" in done.stderr


def _record_ids(server, collection: str) -> set[str]:
    path = f"buckets/{server.bucket}/collections/{collection}/records"
    return {r["id"] for r in server.client().get_json(path)["data"]}


@pytest.mark.e2e
def test_regenerated_kinto_utils_pass_live_against_kinto_and_leave_nothing(tmp_path):
    from skillpack.testing.kinto_server import run_kinto

    root = copy_bundled_workspace(tmp_path / "ws")
    (root / "tests/sources/kinto/kinto_test_utils.py").unlink()
    out = write_test_utils(WriteTestUtilsIn(source="kinto", workspace=str(root)))
    assert {t.table for t in out.tables if t.deletable} == {"tasks", "notes"}
    with run_kinto() as server:
        before = {c: _record_ids(server, c) for c in ("tasks", "notes")}
        env = {
            **os.environ,
            "CONNECTOR_TEST_MODE": "live",
            "CONNECTOR_TEST_CONFIG_JSON": json.dumps(server.config()),
        }
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/sources/kinto"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stdout[-3000:]
        assert "15 passed" in run.stdout
        assert {c: _record_ids(server, c) for c in ("tasks", "notes")} == before
