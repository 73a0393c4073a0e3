"""lint_api_doc: findings an implementer would trip on, each with a line and a fix."""

from __future__ import annotations

from pathlib import Path

from skillpack.tools import LintApiDocIn, lint_api_doc

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "skills" / "implement" / "references" / "api-doc-template.md"


def lint(tmp_path: Path, text: str, **kw):
    doc = tmp_path / "doc.md"
    doc.write_text(text, encoding="utf-8")
    return lint_api_doc(LintApiDocIn(path=str(doc), **kw))


GOOD_HEAD = """# Shop API

- **Source name:** `shop`
- **Base URL:** `https://shop.test/v1`

## Authentication

- **Kind:** `api_key`

| Parameter | Type | Required | Secret | Description |
|---|---|---|---|---|
| `api_key` | string | yes | yes | The key. |

## Tables
"""

ORDERS = """
### `orders`

- **Primary key:** `id`
- **Cursor field:** `updated_at`
- **Ingestion type:** `{ingestion}`
- **Read endpoint:** `GET /orders`
- **Pagination:** `offset`

| Field | Type | Description |
|---|---|---|
| `id` | string | Id. |
| `updated_at` | timestamp | Changed. |
"""


def codes(out) -> set[str]:
    return {f.code for f in out.findings}


def test_template_passes_without_errors():
    out = lint_api_doc(LintApiDocIn(path=str(TEMPLATE)))
    assert out.passed is True
    assert out.errors == 0
    assert out.findings == []


def test_cdc_with_deletes_without_delete_feed_is_an_error(tmp_path):
    out = lint(tmp_path, GOOD_HEAD + ORDERS.format(ingestion="cdc_with_deletes"))
    (finding,) = [f for f in out.findings if f.code == "deletes-without-feed"]
    assert finding.severity == "error"
    assert finding.table == "orders"
    assert finding.line == 16
    assert "Delete feed" in finding.fix
    assert out.passed is False


def test_consistent_cdc_table_has_no_findings(tmp_path):
    out = lint(tmp_path, GOOD_HEAD + ORDERS.format(ingestion="cdc"))
    assert out.findings == []
    assert out.passed is True


def test_missing_key_pagination_and_sync_story_are_reported(tmp_path):
    text = GOOD_HEAD + "\n### `logs`\n\n`GET /logs` returns log lines.\n\n| Field | Type |\n"
    text += "|---|---|\n| `message` | string |\n"
    out = lint(tmp_path, text)
    assert {"no-primary-key", "no-pagination", "no-sync-story"} <= codes(out)
    key = next(f for f in out.findings if f.code == "no-primary-key")
    assert key.severity == "error" and key.line == 16 and "Primary key" in key.fix


def test_auth_without_fields_is_an_error(tmp_path):
    text = "# X\n\n- **Source name:** `x`\n- **Base URL:** `https://x.test`\n\n"
    text += (
        "## Authentication\n\nSend a bearer token.\n"
        + "\n## Tables\n"
        + ORDERS.format(ingestion="cdc")
    )
    out = lint(tmp_path, text)
    finding = next(f for f in out.findings if f.code == "no-auth-fields")
    assert finding.severity == "error" and finding.line == 6


def test_write_back_wanted_but_missing(tmp_path):
    out = lint(tmp_path, GOOD_HEAD + ORDERS.format(ingestion="cdc"), write_back=True)
    assert {"no-write-back", "no-insert-endpoint"} <= codes(out)
    assert out.passed is False
    assert lint(tmp_path, GOOD_HEAD + ORDERS.format(ingestion="cdc")).passed is True


def test_findings_are_sorted_most_severe_first(tmp_path):
    text = GOOD_HEAD + "\n### `logs`\n\n`GET /logs` returns log lines.\n"
    out = lint(tmp_path, text)
    ranks = [{"error": 0, "warning": 1, "info": 2}[f.severity] for f in out.findings]
    assert ranks == sorted(ranks)
    assert out.errors == sum(f.severity == "error" for f in out.findings) > 0
