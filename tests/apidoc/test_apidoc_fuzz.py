"""Random Markdown never crashes the API-doc parser: it only warns; a file that is no
Markdown at all ends in one line."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillpack.apidoc.models import ApiDoc
from skillpack.apidoc.parse import parse_markdown
from skillpack.errors import InputError
from skillpack.tools import ParseApiDocIn, parse_api_doc

WORDS = st.sampled_from(
    [
        "Primary key:", "Cursor field:", "Ingestion type:", "`id`", "`updated_at`", "GET",
        "POST", "DELETE", "/items", "/items/{id}", "cdc", "snapshot", "append", "Pagination:",
        "cursor", "none", "Base URL:", "https://api.test/v1", "**", "_", "|", "-", ":", "`",
        "Tables", "Fields", "Write-back", "Authentication", "Kind:", "bearer", "array<string>",
        "object", "identified by", "incremental", "deleted", "immutable", "Insert:", "Delete feed:",
        "\u00e9", "<b>", "[x](y)", "{", "}", "table", "Source name:", "1.",
    ]
)  # fmt: skip
LINE_STARTS = st.sampled_from(
    ["", "# ", "## ", "### ", "#### ", "- ", "  - ", "* ", "1. ", "> ", "| ", "```", "    ", "---"]
)
LINE = st.builds(
    lambda start, words: start + " ".join(words),
    LINE_STARTS,
    st.lists(WORDS | st.text(max_size=8), max_size=8),
)
DOC = st.lists(LINE, max_size=40).map("\n".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOC)
def test_structured_random_markdown_never_crashes(text):
    doc = parse_markdown(text, "random_api_doc.md")
    assert isinstance(doc, ApiDoc)
    assert all(w.line is None or w.line >= 1 for w in doc.warnings)
    assert all(
        t.ingestion_type in ("snapshot", "cdc", "cdc_with_deletes", "append") for t in doc.tables
    )


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes(text):
    doc = parse_markdown(text)
    assert isinstance(doc, ApiDoc)
    ApiDoc.model_validate_json(doc.model_dump_json())


OBJECT_LIST_LINES = st.sampled_from(
    [
        "## Object List", "## Tables", "### Incremental tables", "### Snapshot tables",
        "### Deferred objects", "| Object (table) | Endpoint | Primary Key | Cursor Field |",
        "|---|---|---|---|", "| `orders` | `GET /orders` | `id` | `updated_at` |",
        "| **Group** | | | |", "| `x` | Used internally | | |", "- `orders` — `GET /orders`",
        "Patient, Visit,", "Lab, Note", '```json\n{"tables": ["a", "b"]}\n```', "```json\n[1,",
        "The list is dynamic, discovered at runtime.", "The object list is static.",
        "Primary key for all resources: `id`", "Every object's primary key is `id`.",
        "- **Primary key for `orders`**: `id` + `line`", "Cursor field for all tables: `ts`",
        "All tables use CDC ingestion via `_ts` cursor.", "- `orders`: `id`",
        "## Get Object Primary Keys", "## Object's Ingestion Type", "| orders | snapshot |",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(OBJECT_LIST_LINES | LINE, max_size=40).map("\n".join))
def test_object_lists_and_doc_wide_facts_never_crash(text):
    doc = parse_markdown(text, "random_api_doc.md")
    assert doc.table_list in ("static", "discovered", "unknown")
    # Every open fact of a table names its table and a doc line.
    assert all(w.table and w.line for w in doc.warnings if w.field)
    if not doc.tables:
        assert any(w.code == "no-tables" and w.message for w in doc.warnings)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=600))
def test_any_file_gives_a_doc_or_one_line_input_error(tmp_path, data):
    path = tmp_path / "doc.md"
    path.write_bytes(data)
    try:
        doc = parse_api_doc(ParseApiDocIn(path=str(path)))
    except InputError as exc:
        assert "\n" not in str(exc) and exc.hint
        return
    assert isinstance(doc, ApiDoc)
