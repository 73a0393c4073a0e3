"""implement_connector: from an API doc to a connector, its simulator spec and its test file.

The example's doc, generated into a fresh workspace, gives a connector that passes the generic
suite live against the example API (a real local server; pytest runs in a subprocess), offline
against its own simulator spec, and, once write_test_utils wires the write-back suite in, the
live write-back suite too. The Kinto doc does the same against a real Kinto (e2e). Free-form
docs generate what they can and list the rest with doc and file lines; the generated code is
ruff-clean and generating twice changes nothing. Generated workspaces are shared per module.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from skillpack.cli import main
from skillpack.errors import InputError, SourceError
from skillpack.examples.example_api import serve_example_api
from skillpack.layout import bundled_workspace
from skillpack.sdk.records import ONE_RECORD, conform, find_records_path
from skillpack.sdk.schema import (
    ArrayType,
    DoubleType,
    LongType,
    StringType,
    StructField,
    StructType,
)
from skillpack.testing._spec_model import load_spec
from skillpack.testing.config import CONFIG_JSON_ENV, CONFIG_PATH_ENV, MODE_ENV
from skillpack.tools import (
    ImplementConnectorIn,
    ImplementConnectorOut,
    implement_connector,
    write_test_utils,
)
from skillpack.writeback.generate import WriteTestUtilsIn
from tests.sdk._servers import Reply, Seen, servers

REPO = Path(__file__).resolve().parents[2]
FREE_FORM = REPO / "tests" / "fixtures" / "apidocs"
OWN_DOCS = REPO / "tests" / "fixtures" / "apidocs_impl"
EXAMPLE_DOC = bundled_workspace() / "sources" / "example" / "example_api_doc.md"
KINTO_DOC = bundled_workspace() / "sources" / "kinto" / "kinto_api_doc.md"
#: free-form fixture docs and the source name each is generated as
FREE_FORM_DOCS = {
    "acme": "acme_crm_prose.md",
    "fieldops": "fieldops_aspect_sections.md",
    "helpdesk": "helpdesk_openapi_style.md",
    "northwind": "northwind_summary.md",
    "talent": "talent_odata_style.md",
}
GENERIC_TESTS = 10


def generate(doc: Path, source: str, workspace: Path, **extra: Any) -> ImplementConnectorOut:
    return implement_connector(
        ImplementConnectorIn(path=str(doc), source=source, workspace=str(workspace), **extra)
    )


def copy_workspace(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
    return dst


def run_suite(test_file: Path, mode: str, tmp: Path, env: dict[str, str] | None = None) -> dict:
    """Run pytest on ``test_file`` in a subprocess; the junit counts and the output tail."""
    report = tmp / f"junit-{mode}-{test_file.stem}.xml"
    clean = {k: v for k, v in os.environ.items() if k not in (CONFIG_JSON_ENV, CONFIG_PATH_ENV)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(test_file),
            "-p",
            "no:cacheprovider",
            "-q",
            "-W",
            "error",
            f"--junitxml={report}",
        ],
        cwd=tmp,
        env={**clean, MODE_ENV: mode, **(env or {})},
        capture_output=True,
        text=True,
        timeout=240,
    )
    suite = ET.parse(report).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    assert suite is not None
    counts = {k: int(suite.get(k, "0")) for k in ("tests", "failures", "errors", "skipped")}
    skipped = sorted(
        case.get("name", "").split("[")[0]
        for case in suite.iter("testcase")
        if case.find("skipped") is not None
    )
    return {**counts, "skipped_names": skipped, "output": (proc.stdout + proc.stderr)[-4000:]}


#: suite tests that do not apply to every connector (no partitions, no batch size set, a
#: column check that only holds offline); they skip and say why
NOT_APPLICABLE = {
    "test_partition_requires_lakeflow_connect",
    "test_max_records_per_batch_respected",
    "test_every_column_populated_by_at_least_one_record",
}


def assert_all_passed(result: dict, expected: int) -> None:
    """No failure or error, every test that applies passed, and ``expected`` of them at least."""
    assert (result["failures"], result["errors"]) == (0, 0), result["output"]
    assert set(result["skipped_names"]) <= NOT_APPLICABLE, result["output"]
    assert result["tests"] - result["skipped"] >= expected, result["output"]


def write_dev_config(workspace: Path, source: str, config: dict[str, Any]) -> Path:
    path = workspace / "sources" / source / "configs" / "dev_config.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config), encoding="utf-8")
    path.chmod(0o600)
    return path


def load_module(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"_generated_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ruff() -> list[str]:
    """The ruff command; CI installs it, elsewhere the dev extra does."""
    exe = Path(sys.executable).with_name("ruff")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("ruff")
    if found:
        return [found]
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("ruff is not installed (CI=true installs the dev extra)")
    pytest.skip("ruff is not installed: pip install 'connector-skillpack[dev]'")


@pytest.fixture(scope="module")
def example_ws(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ImplementConnectorOut]:
    ws = tmp_path_factory.mktemp("example_ws")
    return ws, generate(EXAMPLE_DOC, "example", ws)


@pytest.fixture(scope="module")
def free_form(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Any]]:
    out = {}
    for source, doc in FREE_FORM_DOCS.items():
        ws = tmp_path_factory.mktemp(f"{source}_ws")
        out[source] = (ws, generate(FREE_FORM / doc, source, ws))
    return out


@pytest.fixture(scope="module")
def widgets_ws(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ImplementConnectorOut]:
    ws = tmp_path_factory.mktemp("widgets_ws")
    return ws, generate(OWN_DOCS / "widgets_api_doc.md", "widgets", ws)


# --- the example doc, end to end -------------------------------------------------------------


def test_example_doc_generates_every_table_with_nothing_left_to_finish(example_ws):
    ws, out = example_ws
    assert out.todo == [] and out.passed_template_check is True
    assert out.tables_implemented == ["products", "customers", "orders", "events"]
    assert out.tables_unfinished == [] and out.simulator_skips == []
    assert out.connector_class == "ExampleLakeflowConnect"
    module = ws / "sources" / "example" / "example.py"
    assert sorted(out.files_written) == sorted(
        str(p)
        for p in (
            ws / "sources" / "example" / "example_api_doc.md",
            module,
            ws / "sources" / "example" / "simulator_spec.yaml",
            ws / "tests" / "sources" / "example" / "test_example.py",
        )
    )
    # the doc was copied into the fresh workspace unchanged
    copied = ws / "sources" / "example" / "example_api_doc.md"
    assert copied.read_bytes() == EXAMPLE_DOC.read_bytes()
    text = module.read_text(encoding="utf-8")
    assert 'BearerAuth(options["api_key"])' in text
    assert '"since_param": "after_seq"' in text
    assert '"path": "orders/deleted"' in text and '"cursor_field": "deleted_at"' in text


def test_generated_example_passes_the_generic_suite_live_against_the_example_api(
    example_ws, tmp_path
):
    ws = copy_workspace(example_ws[0], tmp_path / "ws")
    with serve_example_api() as server:
        config = write_dev_config(
            ws, "example", {"base_url": server.url, "api_key": server.api_key}
        )
        assert config.stat().st_mode & 0o777 == 0o600
        result = run_suite(
            ws / "tests" / "sources" / "example" / "test_example.py", "live", tmp_path
        )
    assert_all_passed(result, GENERIC_TESTS)


def test_generated_example_passes_offline_against_its_simulator_spec(example_ws, tmp_path):
    # No config anywhere: the simulator spec's stand-in options and URL are all there is.
    ws = copy_workspace(example_ws[0], tmp_path / "ws")
    result = run_suite(
        ws / "tests" / "sources" / "example" / "test_example.py", "simulate", tmp_path
    )
    assert_all_passed(result, GENERIC_TESTS)


def test_with_write_back_utilities_the_live_write_back_suite_passes_and_rerun_keeps_them(
    example_ws, tmp_path
):
    ws = copy_workspace(example_ws[0], tmp_path / "ws")
    wired = write_test_utils(WriteTestUtilsIn(source="example", workspace=str(ws)))
    assert wired.skipped is False
    test_file = ws / "tests" / "sources" / "example" / "test_example.py"
    assert "LakeflowConnectWriteBackTests" in test_file.read_text(encoding="utf-8")
    with serve_example_api() as server:
        env = {CONFIG_JSON_ENV: json.dumps({"base_url": server.url, "api_key": server.api_key})}
        result = run_suite(test_file, "live", tmp_path, env)
    assert_all_passed(result, GENERIC_TESTS + 5)
    # implement again: the connector is unchanged and the extended test file is kept
    wired_text = test_file.read_text(encoding="utf-8")
    again = generate(EXAMPLE_DOC, "example", ws)
    assert again.files_written == []
    assert again.files_kept == [str(test_file)]
    assert test_file.read_text(encoding="utf-8") == wired_text


# --- re-running and hand edits ---------------------------------------------------------------


def test_rerun_changes_nothing(example_ws):
    ws, first = example_ws
    before = {p: p.read_bytes() for p in ws.rglob("*") if p.is_file()}
    again = generate(EXAMPLE_DOC, "example", ws)
    assert again.files_written == []
    doc = str(ws / "sources" / "example" / "example_api_doc.md")
    assert sorted(again.files_unchanged) == sorted(
        [doc, first.connector_module, first.simulator_spec, first.test_file]
    )
    assert {p: p.read_bytes() for p in ws.rglob("*") if p.is_file()} == before


def test_rerun_of_free_form_and_widgets_docs_changes_nothing(free_form, widgets_ws):
    cases = {**free_form, "widgets": widgets_ws}
    for source, (ws, first) in cases.items():
        doc = Path(first.connector_module).with_name(f"{source}_api_doc.md")
        again = generate(doc, source, ws)
        assert again.files_written == [], source
        assert again.model_dump(exclude={"files_written", "files_unchanged"}) == first.model_dump(
            exclude={"files_written", "files_unchanged"}
        )


def test_hand_edited_module_is_refused_and_nothing_is_written(tmp_path):
    out = generate(EXAMPLE_DOC, "example", tmp_path)
    module, spec, test_file = (
        Path(out.connector_module),
        Path(out.simulator_spec),
        Path(out.test_file),
    )
    edited = module.read_text(encoding="utf-8").replace("_PAGE_SIZE = 100", "_PAGE_SIZE = 20")
    module.write_text(edited, encoding="utf-8")
    spec.unlink()
    test_file.unlink()
    with pytest.raises(InputError) as err:
        generate(EXAMPLE_DOC, "example", tmp_path)
    assert err.value.code == "would-overwrite"
    assert str(module) in str(err.value) and "overwrite: true" in err.value.hint
    assert module.read_text(encoding="utf-8") == edited
    assert not spec.exists() and not test_file.exists()


def test_overwrite_true_regenerates_an_edited_module(tmp_path):
    out = generate(EXAMPLE_DOC, "example", tmp_path)
    module = Path(out.connector_module)
    original = module.read_text(encoding="utf-8")
    module.write_text(original + "# a hand edit\n", encoding="utf-8")
    again = generate(EXAMPLE_DOC, "example", tmp_path, overwrite=True)
    assert again.files_written == [str(module)]
    assert module.read_text(encoding="utf-8") == original


def test_edited_simulator_spec_is_refused_and_the_cli_exits_2(tmp_path, capsys):
    out = generate(EXAMPLE_DOC, "example", tmp_path)
    spec = Path(out.simulator_spec)
    spec.write_text(spec.read_text(encoding="utf-8") + "# more records please\n", "utf-8")
    args = {"path": str(EXAMPLE_DOC), "source": "example", "workspace": str(tmp_path)}
    assert main(["tool", "implement_connector", "--input", json.dumps(args)]) == 2
    err = capsys.readouterr().err
    assert "simulator_spec.yaml" in err and "overwrite" in err
    assert spec.read_text(encoding="utf-8").endswith("# more records please\n")


def test_default_doc_is_the_workspace_doc(example_ws):
    ws, _ = example_ws
    out = implement_connector(ImplementConnectorIn(source="example", workspace=str(ws)))
    assert out.files_written == [] and out.passed_template_check is True


# --- free-form docs: what is left to finish, with lines -------------------------------------


@pytest.mark.parametrize("source", ["fieldops", "helpdesk", "northwind", "talent"])
def test_free_form_doc_lists_todos_with_doc_and_file_lines(free_form, source):
    _, out = free_form[source]
    assert out.passed_template_check is False
    assert out.todo
    blocking = [t for t in out.todo if t.blocking]
    lines = Path(out.connector_module).read_text(encoding="utf-8").splitlines()
    for item in out.todo:
        assert item.file == out.connector_module
        assert isinstance(item.line, int) and 1 <= item.line <= len(lines), item
    for item in blocking:
        assert isinstance(item.doc_line, int), item
        at = lines[item.line - 1]
        # the spot to edit carries the doc reference the agent reads in the error
        assert '"todo"' in at or "NotImplementedError" in at or "see " in at, (item, at)
        assert f"line {item.doc_line}" in "\n".join(lines[item.line - 1 : item.line + 2])
    assert set(out.tables_unfinished) == {t.table for t in blocking if t.table}


def test_client_credentials_auth_fetches_its_token_where_the_doc_says(free_form):
    _, out = free_form["helpdesk"]
    assert not any(t.table is None and t.blocking for t in out.todo), out.todo
    module = load_module(Path(out.connector_module))
    assert module._TOKEN_URL == "https://helpdesk.example.com/oauth/token"
    options = {"client_id": "id", "client_secret": "s", "subdomain": "acme"}
    auth = module.HelpdeskLakeflowConnect(options)._client.auth
    assert type(auth).__name__ == "OAuth2ClientCredentialsAuth"
    assert auth.token_url == module._TOKEN_URL and auth.client_id == "id"
    # a token the connection already holds is sent as it is: no exchange, no credentials
    given = module.HelpdeskLakeflowConnect({"access_token": "tok", "subdomain": "acme"})
    assert type(given._client.auth).__name__ == "BearerAuth"
    # without either, the error names what is missing
    with pytest.raises(Exception, match="client_id"):
        module.HelpdeskLakeflowConnect({"subdomain": "acme"})


def test_an_oauth_source_passes_offline_against_the_token_endpoint_its_simulator_serves(
    tmp_path,
):
    # no deletes, so nothing blocks: the suite must get its tokens from the simulator
    doc = tmp_path / "helpdesk_api_doc.md"
    text = (FREE_FORM / "helpdesk_openapi_style.md").read_text(encoding="utf-8")
    doc.write_text(text.replace("Incremental with deletes", "Incremental"), encoding="utf-8")
    ws = tmp_path / "ws"
    out = implement_connector(
        ImplementConnectorIn(path=str(doc), source="helpdesk", workspace=str(ws))
    )
    assert out.ready_to_test, out.todo
    spec = load_spec(ws / "sources" / "helpdesk" / "simulator_spec.yaml")
    assert spec.auth_header == "Authorization"
    assert [(e.method, e.path, e.open) for e in spec.endpoints] == [("POST", "/oauth/token", True)]
    assert spec.config["token_url"] == "{simulator_url}/oauth/token"
    test_file = ws / "tests" / "sources" / "helpdesk" / "test_helpdesk.py"
    result = run_suite(test_file, "simulate", tmp_path)
    assert (result["failures"], result["errors"]) == (0, 0), result["output"]
    assert result["tests"] - result["skipped"] >= GENERIC_TESTS, result["output"]


def test_unsupported_auth_raises_at_construction_and_is_a_todo(tmp_path):
    doc = tmp_path / "vault_api_doc.md"
    doc.write_text(
        "# Vault API\n\nBase URL: `https://vault.example.com/v1`\n\n## Authorization\n\n"
        "Auth: custom request signing with `signing_key`.\n\n## Object List\n\n"
        "### secrets\n\n`GET /secrets` lists them. Primary key: `id`. Ingestion type: snapshot.\n"
        "\n| Field | Type |\n|---|---|\n| `id` | string |\n",
        encoding="utf-8",
    )
    out = implement_connector(
        ImplementConnectorIn(path=str(doc), source="vault", workspace=str(tmp_path / "ws"))
    )
    item = next(t for t in out.todo if t.table is None and t.blocking)
    assert "custom" in item.what and item.doc_line == 5
    module = load_module(Path(out.connector_module))
    with pytest.raises(NotImplementedError, match="custom"):
        module.VaultLakeflowConnect({"signing_key": "k"})


def test_prose_doc_generates_every_table_and_flags_its_assumptions(free_form):
    _, out = free_form["acme"]
    assert out.tables_unfinished == []
    assert out.todo and not any(t.blocking for t in out.todo)
    assert any("modified_since" in t.what for t in out.todo)
    text = Path(out.connector_module).read_text(encoding="utf-8")
    assert 'ApiKeyAuth(options["api_key"], name="X-Api-Key")' in text


# --- other pagination styles, auth kinds and the upstream layout ----------------------------


def test_widgets_doc_uses_every_paginator_and_passes_offline(widgets_ws, tmp_path):
    ws, out = widgets_ws
    assert out.passed_template_check is True, out.todo
    text = Path(out.connector_module).read_text(encoding="utf-8")
    for name in (
        "OffsetPaginator(",
        "PageNumberPaginator(",
        "LinkHeaderPaginator()",
        "HeaderNextUrlPaginator(",
        '"flag_field": "removed"',
        '"records_path": "items"',
        'host = {"tenant": options["tenant"]}',
        "_BASE_URL.format_map(host)",
        'name="X-Widget-Key"',
    ):
        assert name in text, name
    ws_copy = copy_workspace(ws, tmp_path / "ws")
    test_file = ws_copy / "tests" / "sources" / "widgets" / "test_widgets.py"
    assert_all_passed(run_suite(test_file, "simulate", tmp_path), GENERIC_TESTS)


def test_generated_code_is_ruff_clean_at_both_line_lengths(example_ws, free_form, widgets_ws):
    folders = [str(example_ws[0]), str(widgets_ws[0])] + [str(ws) for ws, _ in free_form.values()]
    cmd = ruff()
    config = str(REPO / "pyproject.toml")
    for args in (
        ["format", "--check", "--config", config],
        ["check", "--config", config],
        ["format", "--check", "--isolated", "--line-length", "88"],
    ):
        proc = subprocess.run([*cmd, *args, *folders], capture_output=True, text=True)
        assert proc.returncode == 0, (args, proc.stdout[-3000:], proc.stderr[-2000:])


# --- offsets and flagged deletes against an inclusive API ----------------------------------


_LEDGER_ROWS: list[dict[str, Any]] = [
    *({"id": f"e{i}", "version": i, "amount": i * 1.5} for i in range(1, 6)),
    {"id": "e6", "version": 6, "gone": True},
]


def _ledger(seen: Seen) -> Reply:
    """A ledger API whose `min_version` filter is inclusive and which lists tombstones
    (``"gone": true``) only to filtered reads; the body is a bare JSON array."""
    if seen.path != "/v1/entries":
        return Reply(404)
    if "min_version" in seen.query:
        return Reply(
            body=[r for r in _LEDGER_ROWS if r["version"] >= int(seen.query["min_version"])]
        )
    return Reply(body=[r for r in _LEDGER_ROWS if not r.get("gone")])


def test_inclusive_filter_and_flagged_deletes_read_each_record_once(tmp_path):
    out = generate(OWN_DOCS / "ledger_api_doc.md", "ledger", tmp_path)
    assert out.passed_template_check is True, out.todo
    connector_class = load_module(Path(out.connector_module)).LedgerLakeflowConnect
    with servers() as start:
        connector = connector_class({"base_url": f"{start(_ledger).url}/v1"})
        records, offset = connector.read_table("entries", None, {})
        assert [r["id"] for r in records] == ["e1", "e2", "e3", "e4", "e5"]
        assert offset == {"cursor": 5}
        # the API hands back e5 (inclusive) and the tombstone e6: neither is a new record
        again, same = connector.read_table("entries", offset, {})
        assert list(again) == [] and same == offset
        # a first read of deletes sends the smallest cursor, so tombstones are listed
        deleted, deletes_offset = connector.read_table_deletes("entries", None, {})
        assert [r["id"] for r in deleted] == ["e6"] and deletes_offset == {"cursor": 6}
        rest, final = connector.read_table_deletes("entries", deletes_offset, {})
        assert list(rest) == [] and final == deletes_offset


_CLINIC = {
    "Patient": [
        {"id": "p1", "meta": {"lastUpdated": "2024-01-01T00:00:00Z"}, "name": "Ada"},
        {"id": "p2", "meta": {"lastUpdated": "2024-01-02T00:00:00Z"}, "name": "Bo"},
    ],
    "Visit": [{"id": "v1", "meta": {"lastUpdated": "2024-01-03T00:00:00Z"}}],
}


def _clinic(seen: Seen) -> Reply:
    """Bundles with each record in an entry of its own; `_lastUpdated` must carry `gt`."""
    since = seen.query.get("_lastUpdated")
    if since is not None and not since.startswith("gt"):
        return Reply(400)
    kind = seen.path.rsplit("/", 1)[-1]
    rows = [
        r for r in _CLINIC.get(kind, []) if since is None or r["meta"]["lastUpdated"] > since[2:]
    ]
    return Reply(body={"type": "searchset", "entry": [{"resource": r} for r in rows], "link": []})


def test_records_one_level_down_nested_columns_and_an_operator_before_the_cursor(tmp_path):
    out = generate(OWN_DOCS / "clinic_api_doc.md", "clinic", tmp_path)
    assert not [t for t in out.todo if t.blocking], out.todo
    connector_class = load_module(Path(out.connector_module)).ClinicLakeflowConnect
    with servers() as start:
        api = start(_clinic)
        connector = connector_class({"base_url": f"{api.url}/r4"})
        records, offset = connector.read_table("Patient", None, {})
        records = list(records)
        # each record taken from its entry; `lastUpdated` from `meta.lastUpdated`
        assert [(r["id"], r["lastUpdated"]) for r in records] == [
            ("p1", "2024-01-01T00:00:00Z"),
            ("p2", "2024-01-02T00:00:00Z"),
        ]
        # the whole resource, as JSON text
        assert json.loads(records[0]["raw_json"])["name"] == "Ada"
        # the next read sends the doc's operator before the cursor, and ends
        again, same = connector.read_table("Patient", offset, {})
        assert list(again) == [] and same == offset
        assert api.seen[-1].query.get("_lastUpdated") == "gt2024-01-02T00:00:00Z"
    # the simulator the doc gives plays the same: records come back only with `gt`
    result = run_suite(Path(out.test_file), "simulate", tmp_path)
    assert (result["failures"], result["errors"]) == (0, 0), result["output"]
    assert result["tests"] - result["skipped"] >= GENERIC_TESTS, result["output"]


def test_a_delete_feed_sends_its_operator_before_the_cursor(tmp_path):
    doc = tmp_path / "clinic_api_doc.md"
    text = (OWN_DOCS / "clinic_api_doc.md").read_text(encoding="utf-8")
    text = text.replace("use `cdc` ingestion", "use `cdc_with_deletes` ingestion").replace(
        "## Read API",
        "## Deletes\n\nDeleted resources: `GET {base_url}/{ResourceType}/deleted?_since=gt{cursor}`"
        ".\n\n## Read API",
    )
    doc.write_text(text, encoding="utf-8")
    out = generate(doc, "clinic", tmp_path / "ws")
    module = load_module(Path(out.connector_module))
    feed = module._TABLES["Patient"]["deletes"]
    assert (feed["path"], feed["since_param"], feed["since_prefix"]) == (
        "Patient/deleted",
        "_since",
        "gt",
    )
    with servers() as start:
        api = start(_clinic)
        connector = module.ClinicLakeflowConnect({"base_url": f"{api.url}/r4"})
        records, _ = connector.read_table_deletes("Patient", {"cursor": "2024-01-02"}, {})
        assert list(records) == []
    assert api.seen[-1].query == {"_since": "gt2024-01-02"}


# --- bad input -------------------------------------------------------------------------------


def test_missing_doc_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as err:
        generate(tmp_path / "nope_api_doc.md", "nope", tmp_path)
    assert err.value.code == "doc-not-found"
    with pytest.raises(InputError):
        implement_connector(ImplementConnectorIn(source="nope", workspace=str(tmp_path)))
    assert list(tmp_path.iterdir()) == []


def test_doc_without_tables_is_an_input_error_and_writes_nothing(tmp_path):
    with pytest.raises(InputError) as err:
        generate(OWN_DOCS / "no_tables_api_doc.md", "notes", tmp_path)
    assert err.value.code == "doc-no-tables" and "Tables" in err.value.hint
    assert list(tmp_path.iterdir()) == []


def test_bad_source_name_is_refused(tmp_path, capsys):
    # the model refuses it with the layout's own error, as the CLI and MCP do
    with pytest.raises(InputError) as info:
        ImplementConnectorIn(path=str(EXAMPLE_DOC), source="Bad Name", workspace=str(tmp_path))
    assert info.value.code == "bad-source-name"
    bad_dir = tmp_path / "Bad-Name"
    bad_dir.mkdir()
    with pytest.raises(InputError) as err:
        implement_connector(ImplementConnectorIn(path=str(EXAMPLE_DOC), source_dir=str(bad_dir)))
    assert err.value.code == "bad-source-name"
    args = {"path": str(EXAMPLE_DOC), "source": "Bad Name", "workspace": str(tmp_path)}
    assert main(["tool", "implement_connector", "--input", json.dumps(args)]) == 2
    assert list(bad_dir.iterdir()) == []


# --- Kinto, against a real server ------------------------------------------------------------


@pytest.mark.e2e
def test_kinto_doc_generates_a_connector_that_passes_live_against_kinto(tmp_path):
    from skillpack.testing.kinto_server import require_kinto, run_kinto

    require_kinto()
    out = generate(KINTO_DOC, "kinto", tmp_path)
    assert out.passed_template_check is True, out.todo
    text = Path(out.connector_module).read_text(encoding="utf-8")
    assert '"flag_field": "deleted"' in text and "HeaderNextUrlPaginator(" in text
    with run_kinto() as server:
        env = {CONFIG_JSON_ENV: json.dumps(server.config())}
        result = run_suite(Path(out.test_file), "live", tmp_path, env)
    assert_all_passed(result, GENERIC_TESTS)


# --- the SDK helper the generated code uses --------------------------------------------------


def test_find_records_path_finds_the_list_in_common_shapes():
    assert find_records_path([{"id": 1}]) is None
    assert find_records_path({"data": [], "next_cursor": None}) == "data"
    assert find_records_path({"results": None}) == "results"
    assert find_records_path({"d": {"results": [{"id": 1}]}}) == "d.results"
    assert find_records_path({"tickets": [{"id": 1}], "next_page": "x"}) == "tickets"
    assert find_records_path({"meta": {}, "orders": []}, hints=("orders",)) == "orders"
    with pytest.raises(SourceError) as err:
        find_records_path({"id": 1, "name": "not a list"})
    assert err.value.code == "records-not-found" and "`name`" in str(err.value)


_ACCOUNT_DOC = """# Account API

- **Source name:** `account`
- **Base URL:** `http://127.0.0.1:{port}/v1`

## Authentication

- **Kind:** `none`

| Parameter | Type | Required | Secret | Description |
|---|---|---|---|---|
| `base_url` | string | yes | no | Base URL of the API, including `/v1`. |

## Tables

### `me`

The signed-in user.

- **Primary key:** `id`
- **Ingestion type:** `snapshot`
- **Read endpoint:** `GET /users/me`
- **Pagination:** `none`

| Field | Type | Description |
|---|---|---|
| `id` | string | User id. |
| `name` | string | Display name. |
| `scopes` | array<string> | Granted scopes. |
"""


def _account(seen: Seen) -> Reply:
    """``/users/me`` answers the one user: an object holding a list of names and one of
    objects, neither of which is the table's records."""
    return Reply(body={"id": "u1", "name": "Ada", "scopes": ["read"], "teams": [{"id": "t1"}]})


def test_a_generated_read_of_an_endpoint_answering_one_object_gives_that_record(tmp_path):
    doc = tmp_path / "account_api_doc.md"
    doc.write_text(_ACCOUNT_DOC, encoding="utf-8")
    out = generate(doc, "account", tmp_path / "ws")
    assert not [t for t in out.todo if t.blocking], out.todo
    connector_class = load_module(Path(out.connector_module)).AccountLakeflowConnect
    with servers() as start:
        url = f"{start(_account).url}/v1"
        records, _ = connector_class({"base_url": url}).read_table("me", None, {})
        assert [(r["id"], r["name"], r["scopes"]) for r in records] == [("u1", "Ada", ["read"])]


def test_a_body_carrying_the_tables_key_is_the_one_record():
    me = {"id": "u1", "sso": ["okta"], "teams": [{"id": "t1"}], "plan": {"seats": 3}}
    # (a list of names or of objects inside it is a field of the record, not its records)
    assert find_records_path(me, record_keys=["id"]) == ONE_RECORD
    # a well-known list still wins: a list response may carry an id of its own
    assert find_records_path({"id": "req-1", "data": [{"id": 1}]}, record_keys=["id"]) == "data"
    # without the key in hand, a lone list of objects is still the records; a list of
    # names never is
    assert find_records_path(me) == "teams"
    with pytest.raises(SourceError):
        find_records_path({"name": "x", "sso": ["okta"]}, record_keys=["id"])
    # one level down, or named as the path ends, a list is still the records
    assert find_records_path({"id": "x", "d": {"results": []}}, record_keys=["id"]) == "d.results"
    page = {"id": "page-1", "users": [{"id": 1}], "next": None}
    assert find_records_path(page, hints=["users"], record_keys=["id"]) == "users"
    # the key must be there, every part of it, as a plain value
    for body, keys in (
        ({"id": {"value": 1}, "sso": ["okta"]}, ["id"]),
        ({"id": "u1", "sso": ["okta"]}, ["id", "tenant"]),
    ):
        with pytest.raises(SourceError):
            find_records_path(body, record_keys=keys)


def test_conform_fits_records_to_the_schema_without_losing_values():
    schema = StructType(
        [
            StructField("id", LongType(), False),
            StructField("price", DoubleType(), True),
            StructField("meta", StringType(), True),
            StructField("owner", StructType([StructField("id", StringType(), True)]), True),
            StructField("tags", ArrayType(StringType(), True), True),
        ]
    )
    record = {
        "id": "42",
        "price": 3,
        "meta": {"b": 1, "a": [1]},
        "owner": {"id": "u1", "extra": True},
        "tags": ["x", 7],
        "undocumented": "dropped",
    }
    assert conform(record, schema) == {
        "id": 42,
        "price": 3.0,
        "meta": '{"a": [1], "b": 1}',
        "owner": {"id": "u1"},
        "tags": ["x", "7"],
    }
    # values that do not fit are left as they are, for the suite to report
    assert conform({"id": "abc", "price": True}, schema)["id"] == "abc"
    assert conform({"id": 1.0}, schema)["id"] == 1
