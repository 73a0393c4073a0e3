"""parse_api_doc on the template, the bundled docs and docs written in other styles."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillpack.apidoc.models import Table
from skillpack.apidoc.parse import parse_markdown
from skillpack.errors import InputError
from skillpack.layout import bundled_workspace
from skillpack.tools import ParseApiDocIn, ParseApiDocOut, parse_api_doc

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "skills" / "implement" / "references" / "api-doc-template.md"
FIXTURES = REPO / "tests" / "fixtures" / "apidocs"
EXAMPLE_DOC = bundled_workspace() / "sources" / "example" / "example_api_doc.md"
KINTO_DOC = bundled_workspace() / "sources" / "kinto" / "kinto_api_doc.md"


def parse(path: Path) -> ParseApiDocOut:
    return parse_api_doc(ParseApiDocIn(path=str(path)))


def summary(t: Table) -> tuple:
    return (t.name, t.primary_keys, t.cursor_field, t.ingestion_type, sorted(t.inferred))


def endpoint(ep) -> str | None:
    return None if ep is None else f"{ep.method} {ep.path}"


def writes(t: Table) -> tuple:
    w = t.write
    if w is None:
        return (None, None, None)
    return (endpoint(w.insert), endpoint(w.update), endpoint(w.delete))


# --- the template ---------------------------------------------------------------------------


def test_template_parses_with_zero_warnings():
    doc = parse(TEMPLATE)
    assert doc.warnings == []
    assert doc.source_name == "my_source"
    assert doc.base_url == "https://api.example.com/v1"


def test_template_tables_keys_cursor_and_ingestion_are_stated():
    doc = parse(TEMPLATE)
    assert [summary(t) for t in doc.tables] == [
        ("items", ["id"], "updated_at", "cdc_with_deletes", []),
        ("events", ["event_id"], "occurred_at", "append", []),
    ]


def test_template_endpoints_pagination_and_write_back():
    items, events = parse(TEMPLATE).tables
    assert endpoint(items.read_endpoint) == "GET /items"
    assert [p.name for p in items.read_endpoint.query_params] == [
        "updated_since",
        "cursor",
        "limit",
    ]
    assert endpoint(items.delete_endpoint) == "GET /items/deleted"
    assert items.pagination.style == "cursor"
    assert events.pagination.style == "page_number"
    assert writes(items) == ("POST /items", "PATCH /items/{id}", "DELETE /items/{id}")
    assert [(f.name, f.required) for f in items.write.body_fields] == [
        ("name", True),
        ("price", True),
        ("tags", False),
    ]
    assert events.write is None
    assert [o.name for o in items.options] == ["category"]


def test_template_field_types_map_to_spark_names():
    items = parse(TEMPLATE).tables[0]
    types = {f.name: (f.type, f.element_type) for f in items.fields}
    assert types["id"] == ("string", None)
    assert types["price"] == ("double", None)
    assert types["in_stock"] == ("boolean", None)
    assert types["owner"] == ("struct", None)
    assert types["owner.email"] == ("string", None)
    assert types["tags"] == ("array", "string")
    assert types["updated_at"] == ("timestamp", None)
    events = parse(TEMPLATE).tables[1]
    assert {f.name: f.type for f in events.fields}["event_id"] == "bigint"


def test_template_auth_has_kind_and_secret_fields():
    (method,) = parse(TEMPLATE).auth
    assert method.kind == "bearer"
    assert [(f.name, f.required, f.secret) for f in method.fields] == [
        ("api_token", True, True),
        ("base_url", False, False),
    ]


# --- the bundled example doc -----------------------------------------------------------------


def test_example_doc_recovers_every_table_exactly():
    doc = parse(EXAMPLE_DOC)
    assert doc.source_name == "example"
    assert [summary(t) for t in doc.tables] == [
        ("products", ["id"], None, "snapshot", []),
        ("customers", ["id"], "updated_at", "cdc", []),
        ("orders", ["id"], "updated_at", "cdc_with_deletes", []),
        ("events", ["event_id"], "seq", "append", []),
    ]
    assert doc.warnings == []


def test_example_doc_write_endpoints_and_delete_feed():
    tables = {t.name: t for t in parse(EXAMPLE_DOC).tables}
    assert writes(tables["products"]) == (None, None, None)
    assert writes(tables["customers"]) == ("POST /customers", None, "DELETE /customers/{id}")
    assert writes(tables["orders"]) == ("POST /orders", None, "DELETE /orders/{id}")
    assert writes(tables["events"]) == ("POST /events", None, "DELETE /events/{event_id}")
    assert endpoint(tables["orders"].delete_endpoint) == "GET /orders/deleted"
    assert tables["customers"].delete_endpoint is None
    assert "city" in [f.name for f in tables["customers"].write.body_fields]


def test_kinto_doc_recovers_every_table_exactly():
    doc = parse(KINTO_DOC)
    assert (doc.source_name, doc.warnings) == ("kinto", [])
    assert [summary(t) for t in doc.tables] == [
        ("collections", ["id"], None, "snapshot", []),
        ("tasks", ["id"], "last_modified", "cdc_with_deletes", []),
        ("notes", ["id"], "last_modified", "cdc_with_deletes", []),
    ]
    collections, tasks, notes = doc.tables
    assert writes(collections) == (None, None, None)
    for t in (tasks, notes):
        records = f"/buckets/{{bucket}}/collections/{t.name}/records"
        assert endpoint(t.read_endpoint) == f"GET {records}"
        assert endpoint(t.delete_endpoint) == f"GET {records}"
        assert writes(t) == (f"PUT {records}/{{id}}", None, f"DELETE {records}/{{id}}")
        assert t.pagination.style == "next_url"
    assert [(f.name, f.secret) for f in doc.auth[0].fields if f.secret] == [("password", True)]


# --- docs in other styles ----------------------------------------------------------------------


def test_prose_doc_reads_keys_and_cursors_from_sentences():
    doc = parse(FIXTURES / "acme_crm_prose.md")
    assert doc.base_url == "https://api.acme-crm.io/v2"
    assert [summary(t) for t in doc.tables] == [
        ("contacts", ["contact_id"], "modified_at", "cdc_with_deletes", ["ingestion_type"]),
        ("activities", ["activity_id"], "activity_id", "append", ["ingestion_type"]),
        ("pipelines", ["id"], None, "snapshot", ["ingestion_type", "primary_keys"]),
    ]
    contacts, activities, pipelines = doc.tables
    assert endpoint(contacts.read_endpoint) == "GET /contacts"
    assert endpoint(contacts.delete_endpoint) == "GET /contacts/deleted"
    assert writes(contacts) == (
        "POST /contacts",
        "PUT /contacts/{contact_id}",
        "DELETE /contacts/{contact_id}",
    )
    assert [contacts.pagination.style, activities.pagination.style] == ["offset", "offset"]
    assert pipelines.pagination.style == "none"
    # nested bullet lists become dotted fields
    assert ("company.domain", "string") in [(f.name, f.type) for f in contacts.fields]
    assert (doc.auth[0].kind, [(f.name, f.secret) for f in doc.auth[0].fields]) == (
        "api_key",
        [("api_key", True), ("region", False)],
    )


def test_summary_table_doc_and_tables_sharing_one_section():
    doc = parse(FIXTURES / "northwind_summary.md")
    assert doc.source_name == "northwind"
    assert [summary(t) for t in doc.tables] == [
        ("orders", ["order_id"], "last_modified", "cdc_with_deletes", []),
        ("order_lines", ["order_id", "line_no"], "last_modified", "cdc", []),
        ("countries", ["code"], None, "snapshot", []),
        ("currencies", ["code"], None, "snapshot", []),
    ]
    tables = {t.name: t for t in doc.tables}
    assert [f.name for f in tables["currencies"].fields] == ["code", "name", "decimals"]
    assert [f.name for f in tables["countries"].fields] == ["code", "name"]
    assert {t.pagination.style for t in doc.tables} == {"link_header"}
    assert endpoint(tables["orders"].delete_endpoint) == "GET /orders/tombstones"
    assert writes(tables["orders"]) == ("POST /orders", None, "DELETE /orders/{order_id}")
    assert doc.auth[0].kind == "basic"
    assert [(f.name, f.secret) for f in doc.auth[0].fields] == [
        ("username", False),
        ("password", True),
    ]
    assert doc.warnings == []


def test_reference_style_doc_with_code_blocks_and_json_examples():
    doc = parse(FIXTURES / "helpdesk_openapi_style.md")
    assert doc.base_url == "https://helpdesk.example.com/api/v3"
    assert [summary(t) for t in doc.tables] == [
        ("tickets", ["ticket_id"], "updated", "cdc_with_deletes", []),
        ("agents", ["id"], None, "snapshot", ["ingestion_type", "primary_keys"]),
    ]
    tickets, agents = doc.tables
    assert endpoint(tickets.read_endpoint) == "GET /tickets"
    # the delete feed is the read endpoint with its `include_deleted` flag
    assert [p.name for p in tickets.delete_endpoint.query_params] == ["include_deleted"]
    assert writes(tickets) == ("POST /tickets", "PATCH /tickets/{ticket_id}", None)
    assert endpoint(agents.read_endpoint) == "GET /agents"
    assert {t.pagination.style for t in doc.tables} == {"next_url"}
    assert ("team.name", "string") in [(f.name, f.type) for f in agents.fields]
    assert doc.auth[0].kind == "oauth2_client_credentials"
    assert [w.code for w in doc.warnings] == ["source-name-guessed", "fields-from-example"]


# --- warnings and errors -----------------------------------------------------------------------


def test_undecidable_facts_become_warnings_with_lines():
    text = "# Thing API\n\nBase URL: https://x.test\n\n## Widgets\n\nGET /widgets returns them.\n"
    doc = parse_markdown(text)
    codes = {(w.code, w.line) for w in doc.warnings}
    assert ("no-primary-key", 5) in codes
    assert ("no-fields", 5) in codes
    assert ("no-pagination", 5) in codes
    assert doc.tables[0].ingestion_type == "snapshot"
    assert doc.tables[0].inferred == ["ingestion_type"]


def test_cursor_without_delete_feed_is_inferred_cdc():
    text = (
        "# T\n\n## Tables\n\n### `notes`\n\nNotes are identified by `id`. Use `changed` for "
        "incremental sync.\n\n| Field | Type |\n|---|---|\n| `id` | integer |\n"
        "| `changed` | timestamp |\n"
    )
    (notes,) = parse_markdown(text).tables
    assert summary(notes) == ("notes", ["id"], "changed", "cdc", ["ingestion_type"])


def test_missing_doc_is_an_input_error_with_a_hint(tmp_path):
    with pytest.raises(InputError) as err:
        parse(tmp_path / "missing.md")
    assert err.value.code == "doc-not-found"
    assert err.value.hint


def test_non_utf8_doc_is_an_input_error(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"# T\n\xff\xfe\x00")
    with pytest.raises(InputError, match="UTF-8"):
        parse(bad)


def test_doc_organised_by_aspect_rather_than_by_table():
    doc = parse(FIXTURES / "fieldops_aspect_sections.md")
    assert doc.base_url == "https://api.fieldops.example/rest/v4"
    assert [summary(t) for t in doc.tables] == [
        ("WorkOrder", ["workOrderId"], "lastModifiedDateTime", "cdc_with_deletes", []),
        ("Technician", ["technicianId"], None, "snapshot", []),
        ("TimeEntry", ["workOrderId", "entryNo"], "bookedAt", "append", []),
    ]
    work, tech, entry = doc.tables
    # read endpoints come from "List work orders"-style headings of another section
    assert [endpoint(t.read_endpoint) for t in doc.tables] == [
        "GET /workorders",
        "GET /technicians",
        "GET /timeentries",
    ]
    assert endpoint(work.delete_endpoint) == "GET /workorders/deleted"
    assert [work.pagination.style, tech.pagination.style, entry.pagination.style] == [
        "offset",
        "none",
        "offset",
    ]
    assert [o.name for o in work.options] == ["region"]
    assert [o.name for o in entry.options] == ["since"]
    assert {f.name: f.type for f in work.fields}["lastModifiedDateTime"] == "timestamp"
    assert [(f.name, f.secret) for f in doc.auth[0].fields] == [
        ("api_token", True),
        ("tenant", False),
    ]


def test_entity_list_shared_schema_and_wildcard_rows():
    doc = parse(FIXTURES / "talent_odata_style.md")
    # a `{EntitySet}` placeholder at the end of the base URL pattern is the table's place
    assert doc.base_url == "https://{api-server}/odata/v2"
    assert [summary(t) for t in doc.tables] == [
        ("Applicant", ["applicantId"], "lastModifiedDateTime", "cdc", []),
        ("ApplicantLite", ["applicantId"], "lastModifiedDateTime", "cdc", []),
        ("ApplicantNote", ["noteId"], None, "snapshot", []),
        ("Snapshot_Skills", ["applicationId", "skillId"], "lastModifiedDateTime", "cdc", []),
        ("Snapshot_Languages", ["applicationId", "languageId"], "lastModifiedDateTime", "cdc", []),
    ]
    tables = {t.name: t for t in doc.tables}
    # "Applicant / ApplicantLite" heads one field table for both
    assert [f.name for f in tables["ApplicantLite"].fields] == [
        "applicantId",
        "fullName",
        "lastModifiedDateTime",
    ]
    assert endpoint(tables["Applicant"].read_endpoint) == "GET /Applicant"
    assert endpoint(tables["ApplicantNote"].read_endpoint) == "GET /ApplicantNote"
    assert {t.pagination.style for t in doc.tables} == {"offset"}
    assert doc.auth[0].kind == "basic"


@pytest.mark.parametrize("enabled", [True, False])
def test_a_parse_leaves_the_cycle_collector_as_it_found_it(enabled, monkeypatch):
    import gc

    from skillpack.apidoc import parse as parse_module

    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        parse_module.parse_markdown("# A API\n\nBase URL: `https://a.example`\n")
        assert gc.isenabled() is enabled

        def broken(tokens, path):
            assert not gc.isenabled()  # paused while the tokens are read
            raise RuntimeError("boom")

        monkeypatch.setattr(parse_module, "_read", broken)
        with pytest.raises(RuntimeError):
            parse_module.parse_markdown("# B API\n")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
