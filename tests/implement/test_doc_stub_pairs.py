"""Doc + stub-server pairs: every fact a doc states is honoured or stops the run.

For each doc in tests/fixtures/doc_stubs/ (POST reads with and without a body, JSON lines, a
bare list, named keys, required dates, pages from 0 with a session token, a server ignoring
`page`, two tables on one path, a username suffix in basic auth, an endpoint on another
host, a key nested under an object, a key in a query parameter or a named header)
`implement_connector` either generates a connector that reads every table correctly from a
stub answering as the doc says, or reports a to-do naming the table, the fact and the doc
line, so its gate fails and `skillpack create` stops there. No case may pass the gate and
then fail on the stub.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from skillpack.create.orchestrator import context_for, run_create
from skillpack.errors import GateFailed, SourceError
from skillpack.testing._spec_model import load_spec
from skillpack.tools import ImplementConnectorIn, RunSuiteIn, implement_connector, run_suite
from tests.fixtures.doc_stubs.stubs import OPTIONS, RECORDS, STUBS
from tests.sdk._servers import servers

DOCS = Path(__file__).resolve().parents[1] / "fixtures" / "doc_stubs"

#: the cases whose facts the generator honours: the connector must read the stub correctly
HONOURED = (
    "post_reads",
    "post_probe",
    "json_lines",
    "bare_list",
    "named_key",
    "page_zero",
    "nested_key",
    "query_key",
    "header_name",
    "basic_suffix",
)
#: the other cases, and the words the to-do must name the fact with
STOPPED = {
    "post_body": "the body the doc describes",
    "required_dates": "required query parameter `from_date` (date)",
    "page_zero_session": "send back `session_id`",
    "ignores_page": "ignores `page`",
    "shared_path": "share `GET /query/engage`",
    "other_host": "another host, `data.analytics.example`",
}
BASE_PATH = {"other_host": "/api/2.0"}
#: what an honoured case had to assume, said as a non-blocking to-do (the others assume nothing)
ASSUMED = {"post_reads": "describes no request body", "post_probe": "describes no request body"}
#: where each honoured doc says a response keeps its records (None: the body is the list)
SHAPES = {
    "post_reads": {"cohorts": "data"},
    "post_probe": {"cohorts": "data"},
    "json_lines": {"events": None},
    "bare_list": {"projects": None},
    "named_key": {"tickets": "tickets", "organizations": "organizations"},
    "page_zero": {"members": "data"},
    "nested_key": {"people": None},
    "query_key": {"feeds": None},
    "header_name": {"boards": None},
    "basic_suffix": {"users": "data"},
}


def test_the_fixture_set_covers_every_documented_case():
    assert sorted([*HONOURED, *STOPPED]) == sorted(RECORDS) == sorted(STUBS)
    assert len(RECORDS) >= 8
    assert all((DOCS / f"{name}_api_doc.md").is_file() for name in RECORDS)


def _implement(name: str, ws: Path):
    doc = DOCS / f"{name}_api_doc.md"
    return implement_connector(ImplementConnectorIn(path=str(doc), source=name, workspace=str(ws)))


def _connector(out, options: dict[str, Any]) -> Any:
    spec = importlib.util.spec_from_file_location(
        Path(out.connector_module).stem, out.connector_module
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, out.connector_class)(options)


def _read_all(connector: Any, table: str) -> list[dict]:
    records, _ = connector.read_table(table, None, {})
    return list(records)


@pytest.mark.parametrize("name", HONOURED)
def test_an_honoured_doc_reads_every_table_from_its_stub(name, tmp_path):
    out = _implement(name, tmp_path / "ws")
    assert out.ready_to_test, [t.what for t in out.todo]
    assert out.passed_template_check is (name not in ASSUMED)
    assumed = [t for t in out.todo if not t.blocking and t.doc_line]
    assert len(out.todo) == len(assumed) == (1 if name in ASSUMED else 0), [
        t.what for t in out.todo
    ]
    assert all(ASSUMED[name] in t.what for t in assumed)
    with servers() as start:
        stub = start(STUBS[name])
        options = {**OPTIONS[name], "base_url": stub.url + BASE_PATH.get(name, "/v1")}
        connector = _connector(out, options)
        for table, expected in RECORDS[name].items():
            assert _read_all(connector, table) == expected, table


@pytest.mark.parametrize("name", sorted(STOPPED))
def test_a_fact_the_generator_drops_is_a_to_do_naming_table_fact_and_line(name, tmp_path):
    out = _implement(name, tmp_path / "ws")
    assert not out.passed_template_check  # the gate fails: create stops at `implement`
    named = [t for t in out.todo if STOPPED[name] in t.what]
    assert named, [t.what for t in out.todo]
    for item in named:
        assert item.doc_line is not None and "doc line" in item.what
        assert item.table in (*RECORDS[name], None)
    blocking = {t.table for t in out.todo if t.blocking and t.table}
    if blocking:
        # a table with a blocking to-do never reads: its simulate suite cannot be green
        connector = _connector(out, {**OPTIONS[name], "base_url": "http://127.0.0.1:9/v1"})
        with pytest.raises(NotImplementedError):
            connector.read_table(sorted(blocking)[0], None, {})


def test_the_server_ignoring_page_ends_in_pagination_loop_after_two_requests(tmp_path):
    out = _implement("ignores_page", tmp_path / "ws")
    assert [t.blocking for t in out.todo] == [False]  # assumed, and said so
    with servers() as start:
        stub = start(STUBS["ignores_page"])
        connector = _connector(out, {**OPTIONS["ignores_page"], "base_url": stub.url + "/v1"})
        with pytest.raises(SourceError) as err:
            _read_all(connector, "segments")
        assert err.value.code == "pagination-loop"
        assert len(stub.seen) == 2


def test_create_stops_at_implement_naming_the_dropped_fact(tmp_path):
    ctx = context_for(
        "post_body",
        doc=str(DOCS / "post_body_api_doc.md"),
        workspace=str(tmp_path / "ws"),
        config_values={"api_key": "k"},
    )
    with pytest.raises(GateFailed) as err:
        run_create(ctx, until="connect")
    text = str(err.value)
    assert "step `implement` failed its gate (`ready_to_test`)" in text
    assert "1 blocking" in text and "POST /reports/run" in text and "doc line" in text


@pytest.mark.parametrize("name", HONOURED)
def test_an_honoured_doc_is_also_green_in_simulate_and_says_its_spec_is_derived(name, tmp_path):
    ws = tmp_path / "ws"
    spec = load_spec(Path(_implement(name, ws).simulator_spec))
    # the simulator answers in the shape the doc states, whatever the connector expects
    shapes = {t: s.records_path for t, s in spec.tables.items()}
    assert shapes == SHAPES[name]
    out = run_suite(RunSuiteIn(source=name, workspace=str(ws), mode="simulate", timeout_s=120))
    assert out.passed, out.causes
    assert out.spec_independent is False
    assert "generated from the API doc" in out.simulator_spec_origin


def test_a_post_read_with_a_delete_feed_still_stops(tmp_path):
    # the feed is read by GET with the table's entry: a POST read would send it as POST
    text = (DOCS / "post_reads_api_doc.md").read_text(encoding="utf-8")
    text = text.replace(
        "- **Ingestion type:** `snapshot`", "- **Ingestion type:** `cdc_with_deletes`"
    )
    text = text.replace("- **Cursor field:** none", "- **Cursor field:** `updated_at`")
    text = text.replace(
        "- **Pagination:**", "- **Delete endpoint:** `GET /cohorts/deleted`\n- **Pagination:**"
    )
    text += "| `updated_at` | string | Last change. |\n"
    doc = tmp_path / "post_deletes_api_doc.md"
    doc.write_text(text.replace("`post_reads`", "`post_deletes`"), encoding="utf-8")
    out = implement_connector(
        ImplementConnectorIn(path=str(doc), source="post_deletes", workspace=str(tmp_path / "ws"))
    )
    read = [t for t in out.todo if t.blocking and t.table == "cohorts"]
    assert read and "POST /cohorts/list" in read[0].what, [t.what for t in out.todo]
    assert not out.ready_to_test


@pytest.mark.parametrize(
    ("words", "stops"),
    [
        ("Body:", True),
        ("The POST body names the dimensions:", True),
        ("Send the report definition in the body:", True),
        ("The payload:", True),
        ("The response body lists the rows:", False),
    ],
)
def test_any_words_about_a_request_body_keep_a_post_read_a_blocking_to_do(words, stops, tmp_path):
    text = (DOCS / "post_body_api_doc.md").read_text(encoding="utf-8")
    doc = tmp_path / "words_api_doc.md"
    doc.write_text(text.replace("Request body:", words).replace("`post_body`", "`words`"))
    out = implement_connector(
        ImplementConnectorIn(path=str(doc), source="words", workspace=str(tmp_path / "ws"))
    )
    assert out.ready_to_test is not stops, [t.what for t in out.todo]
