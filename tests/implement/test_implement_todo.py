"""What the doc leaves open becomes a precise to-do of implement_connector, never a stop."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillpack.tools import ImplementConnectorIn, implement_connector
from tests.implement.test_implement_connector import load_module
from tests.sdk._servers import Reply, servers

SHAPES = Path(__file__).resolve().parents[1] / "fixtures" / "apidocs_shapes"


def _implement(doc: str, source: str, workspace: Path, folder: Path = SHAPES):
    return implement_connector(
        ImplementConnectorIn(path=str(folder / doc), source=source, workspace=str(workspace))
    )


def test_every_to_do_names_table_field_and_doc_line(tmp_path):
    out = _implement("orbit_object_table.md", "orbit", tmp_path)
    assert out.todo
    assert all(t.table and t.field and t.doc_line for t in out.todo)
    cursor = next(t for t in out.todo if t.field == "cursor_field")
    assert (cursor.table, cursor.candidates, cursor.guessed) == (
        "task_events",
        ["happened_at"],
        False,
    )
    assert "happened_at" in cursor.what


def test_an_open_primary_key_is_a_to_do_with_its_line_and_the_connector_is_written(tmp_path):
    out = _implement("mesh_discovered.md", "mesh", tmp_path)
    assert Path(out.connector_module).exists()
    keys = [t for t in out.todo if t.field == "primary_keys"]
    assert {t.table for t in keys} == {"shipments", "carriers"}
    lines = (SHAPES / "mesh_discovered.md").read_text().splitlines()
    assert all("shipments" in lines[t.doc_line - 1] for t in keys)


def test_guessed_facts_are_marked_as_guesses(tmp_path):
    out = _implement("mesh_discovered.md", "mesh", tmp_path)
    guessed = [t for t in out.todo if t.guessed]
    assert {(t.table, t.field) for t in guessed} == {
        ("shipments", "ingestion_type"),
        ("carriers", "ingestion_type"),
    }
    assert all("guess" in t.what and t.candidates == ["snapshot"] for t in guessed)


def test_an_endpoint_derived_for_every_table_is_a_guess_to_confirm(tmp_path):
    out = _implement("clinic_name_run.md", "clinic", tmp_path)
    derived = [t for t in out.todo if t.field == "read_endpoint"]
    assert {t.table for t in derived} == {"Patient", "Visit", "LabResult", "Prescription"}
    assert all(t.guessed and t.doc_line == 27 and not t.blocking for t in derived)


def test_an_unnamed_cursor_filter_is_a_note_and_the_read_filters_on_the_client(tmp_path):
    out = _implement("ember_no_filter.md", "ember", tmp_path)
    assert out.ready_to_test
    note = next(t for t in out.todo if t.field == "since_param")
    assert (note.table, note.blocking, note.guessed, note.doc_line) == ("meters", False, True, 17)
    assert "client" in note.what
    meters = [
        {"id": "m1", "label": "a", "updated_at": "2024-01-01T00:00:00Z"},
        {"id": "m2", "label": "b", "updated_at": "2024-03-01T00:00:00Z"},
    ]
    module = load_module(Path(out.connector_module))
    with servers() as serve:
        api = serve(lambda seen: Reply(200, {"meters": meters}))
        connector = module.EmberLakeflowConnect({"api_key": "k", "base_url": api.url})
        first, offset = connector.read_table("meters", None, {})
        assert [r["id"] for r in first] == ["m1", "m2"]
        again, _ = connector.read_table("meters", offset, {})
        assert list(again) == []
    assert all(seen.query == {} for seen in api.seen)


def test_paging_the_doc_leaves_out_follows_the_response_and_says_so(tmp_path):
    doc = (SHAPES / "ember_no_paging.md").read_text(encoding="utf-8")
    (tmp_path / "ember_silent.md").write_text(
        doc.replace(" with every meter in one response", ""), encoding="utf-8"
    )
    out = _implement("ember_silent.md", "ember", tmp_path / "ws", folder=tmp_path)
    item = next(t for t in out.todo if t.table == "meters" and t.field == "pagination")
    assert not item.blocking and item.guessed and item.doc_line == 17
    assert "follows any next-page pointer" in item.what
    said = _implement("ember_no_paging.md", "ember", tmp_path / "said")
    assert not any(t.field == "pagination" for t in said.todo), said.todo


def test_an_unfinished_table_raises_at_read_naming_the_doc_line(tmp_path):
    # `GET /meters` needs a date no option gives: that is left to a person
    doc = (SHAPES / "ember_no_paging.md").read_text(encoding="utf-8")
    (tmp_path / "ember_dated.md").write_text(
        doc.replace(
            "The endpoint takes no query parameters.",
            "| Parameter | Type | Required | Description |\n|---|---|---|---|\n"
            "| `day` | date | yes | The day to list. |",
        ),
        encoding="utf-8",
    )
    out = _implement("ember_dated.md", "ember", tmp_path / "ws", folder=tmp_path)
    item = next(t for t in out.todo if t.table == "meters" and t.blocking)
    assert (item.field, item.doc_line) == ("read", 17)
    assert "`day` (date) is never sent" in item.what
    module = load_module(Path(out.connector_module))
    connector = module.EmberLakeflowConnect({"api_key": "k", "base_url": "http://127.0.0.1:9"})
    # schema and metadata work; reading says what is missing and where the doc is
    assert connector.get_table_schema("meters", {}).fieldNames()
    assert connector.read_table_metadata("meters", {})["ingestion_type"] == "cdc"
    with pytest.raises(NotImplementedError, match=r"ember_api_doc\.md line 17"):
        connector.read_table("meters", None, {})


def test_cursor_paging_named_only_in_prose_sends_the_token_back(tmp_path):
    out = _implement("kite_token_prose.md", "kite", tmp_path)
    assert not any(t.table == "flights" and t.blocking for t in out.todo)
    module = load_module(Path(out.connector_module))
    pages = {None: (["f1", "f2"], "tok-2"), "tok-2": (["f3"], None)}
    with servers() as serve:

        def answer(seen):
            ids, token = pages[seen.query.get("pageToken")]
            return Reply(200, {"items": [{"id": i} for i in ids], "nextPageToken": token})

        api = serve(answer)
        connector = module.KiteLakeflowConnect({"api_key": "k", "base_url": api.url})
        records, _ = connector.read_table("flights", None, {})
        assert [r["id"] for r in records] == ["f1", "f2", "f3"]
    assert [s.query.get("pageToken") for s in api.seen if s.path.endswith("/flights")][-2:] == [
        None,
        "tok-2",
    ]


def test_an_open_primary_key_stops_a_table_that_needs_one(tmp_path):
    out = _implement("kite_token_prose.md", "kite", tmp_path)
    keys = {t.table: t for t in out.todo if t.field == "primary_keys"}
    # a snapshot table declares keys; an append table may go without
    assert keys["gates"].blocking and "`snapshot` table cannot go without one" in keys["gates"].what
    assert not keys["pings"].blocking
    assert keys["gates"].doc_line == 30
    assert not out.ready_to_test


def test_a_missing_base_url_points_at_the_authorization_section(tmp_path):
    out = _implement("ember_no_base_url.md", "ember", tmp_path)
    item = next(t for t in out.todo if t.field == "base_url")
    lines = (SHAPES / "ember_no_base_url.md").read_text().splitlines()
    # the line lies in the section where the template asks for the base URL
    section = lines[: item.doc_line]
    assert next(ln for ln in reversed(section) if ln.startswith("## ")) == "## Authorization"
    assert (item.table, item.blocking) == (None, False)
    assert f"ember_api_doc.md line {item.doc_line}" in item.what
