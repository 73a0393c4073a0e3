"""The response field a doc says holds a table's records is kept, and the generated read
looks there."""

from __future__ import annotations

from pathlib import Path

from skillpack.apidoc.parse import parse_markdown
from skillpack.tools import ImplementConnectorIn, implement_connector

SUMMARY = """# Desk API

Base URL: `https://desk.example/api/v2`

Authentication: Bearer token in the `Authorization` header.

## Tables

| Table | Endpoint | Response key | Primary Key | Ingestion |
|---|---|---|---|---|
| `tickets` | `GET /tickets.json` | `tickets` | `id` | snapshot |
| `ticket_comments` | `GET /ticket_events.json` | `ticket_events` | `id` | snapshot |
| `brands` | `GET /brands.json` | — | `id` | snapshot |
| `groups` | `GET /groups.json` | `$.data.groups[*]` | `id` | snapshot |
"""

SECTIONS = """# Shop API

Base URL: `https://shop.example/v1`

## Tables

### orders

- **Endpoint:** `GET /orders`
- **Primary key:** `id`
- **Ingestion type:** snapshot
- **Records key:** `results`

| Field | Type |
|---|---|
| `id` | string |
"""


def test_a_response_key_column_names_where_each_table_keeps_its_records():
    doc = parse_markdown(SUMMARY)
    keys = {t.name: t.records_key for t in doc.tables}
    assert keys == {
        "tickets": "tickets",
        "ticket_comments": "ticket_events",
        "brands": None,
        "groups": "data.groups",  # a JSONPath spelling, read as the dotted path
    }
    # the column is no key, no note read as prose
    assert all(t.primary_keys == ["id"] for t in doc.tables)


def test_a_records_key_label_in_a_table_section_is_kept():
    (orders,) = parse_markdown(SECTIONS).tables
    assert orders.records_key == "results"


def test_the_generated_read_takes_the_records_from_the_stated_key(tmp_path: Path):
    doc = tmp_path / "desk_api_doc.md"
    doc.write_text(SUMMARY, encoding="utf-8")
    out = implement_connector(
        ImplementConnectorIn(path=str(doc), source="desk", workspace=str(tmp_path / "ws"))
    )
    text = Path(out.connector_module).read_text(encoding="utf-8")
    comments = text[text.index('"ticket_comments": {') :]
    assert '"records_path": "ticket_events"' in comments[: comments.index('"brands": {')]
    brands = text[text.index('"brands": {') : text.index('"groups": {')]
    assert '"records_path": None' in brands  # no key stated: found from the answer
