"""What the doc leaves open becomes a precise to-do of implement_connector, never a stop."""

from __future__ import annotations

from pathlib import Path

from skillpack.tools import ImplementConnectorIn, implement_connector

SHAPES = Path(__file__).resolve().parents[1] / "fixtures" / "apidocs_shapes"


def _implement(doc: str, source: str, workspace: Path):
    return implement_connector(
        ImplementConnectorIn(path=str(SHAPES / doc), source=source, workspace=str(workspace))
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
