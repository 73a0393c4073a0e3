"""Random Markdown never crashes the API-doc parser: it only warns."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillpack.apidoc.models import ApiDoc
from skillpack.apidoc.parse import parse_markdown

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
